// Kerberos (SPNEGO, RFC 4559) tokens for HTTP `Authorization: Negotiate`, from a keytab, through MIT
// krb5's GSSAPI. libgssapi_krb5.so.2 is loaded the first time a token is asked for, so a host that never
// uses Kerberos never loads it (nor needs it installed).
#pragma once
#include <stddef.h>

/// Writes the first SPNEGO token for `service` (`HTTP@host`) as `principal`, whose key is in `keytab`
/// (a path), tickets kept in the memory credential cache `ccache` (`MEMORY:name`). Blocks on the KDC.
/// Returns 0 with a token to free with `mrsw_spnego_free`, or -1 with a one-line reason in `message`.
int mrsw_spnego_token(
    const char *principal, const char *keytab, const char *ccache, const char *service, unsigned char **token,
    size_t *length, char *message, size_t message_size);

void mrsw_spnego_free(unsigned char *token);

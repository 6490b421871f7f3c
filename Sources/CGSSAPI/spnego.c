// See include/spnego.h. The GSSAPI headers give every function's type; the functions themselves come from
// dlsym, so nothing here is linked against libgssapi_krb5.
#include "spnego.h"

#include <dlfcn.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct {
    __typeof__(&gss_import_name) import_name;
    __typeof__(&gss_acquire_cred_from) acquire_cred_from;
    __typeof__(&gss_init_sec_context) init_sec_context;
    __typeof__(&gss_release_buffer) release_buffer;
    __typeof__(&gss_release_name) release_name;
    __typeof__(&gss_release_cred) release_cred;
    __typeof__(&gss_delete_sec_context) delete_sec_context;
    __typeof__(&gss_display_status) display_status;
    gss_OID hostbased_service;
    gss_OID krb5_principal;
    char error[256];
} gss;

static pthread_once_t loaded = PTHREAD_ONCE_INIT;

static void load(void) {
    void *library = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(gss.error, sizeof gss.error, "cannot load MIT Kerberos (libgssapi_krb5.so.2: install "
                 "libgssapi-krb5-2 or krb5-libs): %s", dlerror());
        return;
    }
#define SYMBOL(field, name)                                                                   \
    if (!(gss.field = (__typeof__(gss.field))dlsym(library, name))) {                         \
        snprintf(gss.error, sizeof gss.error, "libgssapi_krb5.so.2 has no %s (MIT krb5 1.11 or later needed)", name); \
        return;                                                                               \
    }
    SYMBOL(import_name, "gss_import_name")
    SYMBOL(acquire_cred_from, "gss_acquire_cred_from")
    SYMBOL(init_sec_context, "gss_init_sec_context")
    SYMBOL(release_buffer, "gss_release_buffer")
    SYMBOL(release_name, "gss_release_name")
    SYMBOL(release_cred, "gss_release_cred")
    SYMBOL(delete_sec_context, "gss_delete_sec_context")
    SYMBOL(display_status, "gss_display_status")
#undef SYMBOL
    // The name-type OIDs are variables of the library (gss_OID each).
    gss_OID *hostbased = dlsym(library, "GSS_C_NT_HOSTBASED_SERVICE");
    gss_OID *principal = dlsym(library, "GSS_KRB5_NT_PRINCIPAL_NAME");
    if (!hostbased || !principal) {
        snprintf(gss.error, sizeof gss.error, "libgssapi_krb5.so.2 has no name-type OIDs");
        return;
    }
    gss.hostbased_service = *hostbased;
    gss.krb5_principal = *principal;
}

// "what: major text (minor text)", the library's own words for both status codes.
static void describe(const char *what, OM_uint32 major, OM_uint32 minor, char *message, size_t size) {
    char texts[2][256] = {"", ""};
    OM_uint32 codes[2] = {major, minor};
    int types[2] = {GSS_C_GSS_CODE, GSS_C_MECH_CODE};
    for (int i = 0; i < 2; i++) {
        OM_uint32 ignored, context = 0;
        gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
        if (codes[i] != 0 && gss.display_status(&ignored, codes[i], types[i], GSS_C_NO_OID, &context, &text) == 0) {
            snprintf(texts[i], sizeof texts[i], "%.*s", (int)text.length, (const char *)text.value);
            gss.release_buffer(&ignored, &text);
        }
    }
    snprintf(message, size, "%s: %s%s%s%s", what, texts[0], texts[1][0] ? " (" : "", texts[1], texts[1][0] ? ")" : "");
}

static int import(const char *text, gss_OID type, gss_name_t *name, char *message, size_t size) {
    OM_uint32 minor;
    gss_buffer_desc buffer = {strlen(text), (void *)text};
    OM_uint32 major = gss.import_name(&minor, &buffer, type, name);
    if (GSS_ERROR(major)) {
        describe(text, major, minor, message, size);
        return -1;
    }
    return 0;
}

int mrsw_spnego_token(
    const char *principal, const char *keytab, const char *ccache, const char *service, unsigned char **token,
    size_t *length, char *message, size_t message_size) {
    pthread_once(&loaded, load);
    if (gss.error[0]) {
        snprintf(message, message_size, "%s", gss.error);
        return -1;
    }
    int result = -1;
    OM_uint32 major, minor;
    gss_name_t client = GSS_C_NO_NAME, target = GSS_C_NO_NAME;
    gss_cred_id_t credentials = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t context = GSS_C_NO_CONTEXT;
    gss_buffer_desc output = GSS_C_EMPTY_BUFFER;
    // SPNEGO (1.3.6.1.5.5.2), what Hadoop's HTTP authentication speaks.
    gss_OID_desc spnego = {6, (void *)"\x2b\x06\x01\x05\x05\x02"};
    if (import(principal, gss.krb5_principal, &client, message, message_size) != 0) goto done;
    if (import(service, gss.hostbased_service, &target, message, message_size) != 0) goto done;
    // A ticket from the keytab when the memory cache has none (or an expired one), reused until then.
    gss_key_value_element_desc elements[] = {{"client_keytab", keytab}, {"ccache", ccache}};
    gss_key_value_set_desc store = {2, elements};
    major = gss.acquire_cred_from(
        &minor, client, GSS_C_INDEFINITE, GSS_C_NO_OID_SET, GSS_C_INITIATE, &store, &credentials, NULL, NULL);
    if (GSS_ERROR(major)) {
        describe("no ticket from the keytab", major, minor, message, message_size);
        goto done;
    }
    major = gss.init_sec_context(
        &minor, credentials, &context, target, &spnego, 0, GSS_C_INDEFINITE, GSS_C_NO_CHANNEL_BINDINGS,
        GSS_C_NO_BUFFER, NULL, &output, NULL, NULL);
    if (GSS_ERROR(major) || output.length == 0) {
        describe("no service ticket", major, minor, message, message_size);
        goto done;
    }
    *token = malloc(output.length);
    if (!*token) {
        snprintf(message, message_size, "out of memory");
        goto done;
    }
    memcpy(*token, output.value, output.length);
    *length = output.length;
    result = 0;
done:
    if (output.value) gss.release_buffer(&minor, &output);
    if (context != GSS_C_NO_CONTEXT) gss.delete_sec_context(&minor, &context, GSS_C_NO_BUFFER);
    if (credentials != GSS_C_NO_CREDENTIAL) gss.release_cred(&minor, &credentials);
    if (target != GSS_C_NO_NAME) gss.release_name(&minor, &target);
    if (client != GSS_C_NO_NAME) gss.release_name(&minor, &client);
    return result;
}

void mrsw_spnego_free(unsigned char *token) { free(token); }

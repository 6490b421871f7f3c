#!/usr/bin/env python3
"""A YARN ResourceManager behind Kerberos, for the tests: Hadoop's SPNEGO authentication
(`Authorization: Negotiate`, RFC 4559) checked with MIT krb5 through Debian's python3-gssapi, the
service key of HTTP/<host> from a keytab. It answers the Cluster Information API (ACTIVE) and the Cluster
Applications API (the apps of a JSON file) only to a request whose token it accepts, and 401 with
`WWW-Authenticate: Negotiate` to any other.

Usage: spnego_resource_manager.py KEYTAB APPS_JSON   (KRB5_CONFIG names the test realm)
Prints `listening on PORT`, then one line per request: `accepted PRINCIPAL PATH` or `refused REASON`.
"""
import base64
import http.server
import json
import sys

import gssapi

keytab, apps_file = sys.argv[1], sys.argv[2]
credentials = gssapi.Credentials(usage="accept", store={"keytab": keytab})


class ResourceManager(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Negotiate "):
            print("refused no Negotiate header", flush=True)
            return self.reply(401, {"WWW-Authenticate": "Negotiate"}, b"")
        try:
            context = gssapi.SecurityContext(creds=credentials, usage="accept")
            answer = context.step(base64.b64decode(header[len("Negotiate "):]))
        except (gssapi.exceptions.GSSError, ValueError) as error:
            print(f"refused {error}".replace("\n", " "), flush=True)
            return self.reply(401, {"WWW-Authenticate": "Negotiate"}, b"")
        if not context.complete:
            print("refused incomplete context", flush=True)
            return self.reply(401, {"WWW-Authenticate": "Negotiate"}, b"")
        print(f"accepted {context.initiator_name} {self.path}", flush=True)
        headers = {"Content-Type": "application/json"}
        if answer:
            headers["WWW-Authenticate"] = "Negotiate " + base64.b64encode(answer).decode()
        if self.path.startswith("/ws/v1/cluster/info"):
            body = {"clusterInfo": {"id": 1, "state": "STARTED", "haState": "ACTIVE"}}
        elif self.path.startswith("/ws/v1/cluster/apps"):
            with open(apps_file) as apps:
                body = json.load(apps)
        else:
            return self.reply(404, headers, b"{}")
        self.reply(200, headers, json.dumps(body).encode())

    def reply(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *arguments):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), ResourceManager)
print(f"listening on {server.server_address[1]}", flush=True)
server.serve_forever()

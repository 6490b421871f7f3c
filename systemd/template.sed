# Makes mrs-watchdog@.service from mrs-watchdog.service (make install; both packages): one daemon per
# instance (a project or a region), each with its own config, credentials, state, environment file and
# dynamic user. Instance "prod": /etc/mrs-watchdog/prod.json, /etc/credstore/mrs-watchdog-prod.ak and .sk,
# /var/lib/mrs-watchdog-prod, /etc/default/mrs-watchdog-prod.
1c\
# mrs-watchdog@.service: one mrs-watchdog per instance (`systemctl enable --now mrs-watchdog@prod`), made from\
# mrs-watchdog.service by systemd/template.sed. Instance "prod" reads /etc/mrs-watchdog/prod.json, keeps its\
# state in /var/lib/mrs-watchdog-prod and runs as its own dynamic user.
s/^Description=mrs-watchdog - /Description=mrs-watchdog (%i) - /
s#${CONFIGURATION_DIRECTORY}/rules\.json#${CONFIGURATION_DIRECTORY}/%i.json#g
s#/etc/credstore\(\.encrypted\)\{0,1\}/mrs-watchdog\.\(ak\|sk\)#/etc/credstore\1/mrs-watchdog-%i.\2#g
s#/etc/credstore/mrs-watchdog-yarn\.keytab#/etc/credstore/mrs-watchdog-%i-yarn.keytab#
s#^EnvironmentFile=-/etc/default/mrs-watchdog$#EnvironmentFile=-/etc/default/mrs-watchdog-%i#
s#^StateDirectory=mrs-watchdog$#StateDirectory=mrs-watchdog-%i#
/^DynamicUser=yes$/a\
User=mrs-watchdog-%i

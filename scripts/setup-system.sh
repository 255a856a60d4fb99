#!/bin/sh
# Installs the Debian packages quorumctl's sandbox and tests run (real servers, no fakes).
set -eu
PACKAGES="etcd-server etcd-client zookeeper nats-server prometheus fio iptables iproute2 openssl tmux chromium"
missing=""
for package in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "quorumctl: missing Debian packages:$missing; run as root: apt-get update && apt-get install -y$missing" >&2
  exit 1
fi
echo "quorumctl: installing Debian packages:$missing" >&2
# Package scripts must not start daemons on the default ports (policy-rc.d 101 = "not allowed").
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
trap 'rm -f /usr/sbin/policy-rc.d' EXIT
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null

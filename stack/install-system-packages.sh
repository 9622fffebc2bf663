#!/bin/sh
# Installs the Debian packages that the embedded stack needs and the repository does not bring:
# PostgreSQL 15 (server programs under /usr/lib/postgresql/15/bin), the OpenSSH server (the SFTP
# peer of the tests), and the openssl and ssh-keygen commands that make the tests' encrypted
# files and keys. Packages already installed are left alone. Needs root and apt-get
# (Debian 12 or a derivative that ships postgresql-15).
set -eu

missing=""
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing="$missing postgresql-15"
command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing="$missing openssh-server"
# The tests make encrypted files and keys with the openssl and ssh-keygen commands.
command -v openssl >/dev/null 2>&1 || missing="$missing openssl"
command -v ssh-keygen >/dev/null 2>&1 || missing="$missing openssh-client"

if [ -z "$missing" ]; then
  echo "install-system-packages: postgresql-15, openssh-server, openssl and ssh-keygen are already installed"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-packages: missing$missing. Run this script as root (for example with sudo)" >&2
  exit 1
fi

echo "install-system-packages: installing$missing"
apt-get update
# Where services may start (systemd without a denying policy-rc.d), these packages also start
# a system PostgreSQL cluster on port 5432 and an sshd on port 22. The stack uses neither: it
# runs its own servers on other ports of 127.0.0.1.
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing

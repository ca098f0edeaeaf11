#!/bin/sh
# Runs with sh inside the debootstrap tree (chroot) just before the import:
# drop what is specific to this bootstrap run or this host, and what the
# dpkg excludes in rootfs/ would have kept out, so the image stays small.
set -eu

rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
	/var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*
rm -f /var/log/bootstrap.log /var/log/dpkg.log /var/log/alternatives.log \
	/var/log/apt/*.log /var/cache/ldconfig/aux-cache \
	/var/cache/debconf/*-old /var/lib/dpkg/*-old

find /usr/share/doc -mindepth 1 ! -type d ! -name copyright -delete
find /usr/share/doc -mindepth 1 -type d -empty -delete
rm -rf /usr/share/man/* /usr/share/groff/* /usr/share/info/* \
	/usr/share/lintian/* /usr/share/linda/*
find /usr/share/locale -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +

# The container runtime provides these per container; debootstrap copied
# the host's.
rm -f /etc/resolv.conf /etc/hostname
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > /etc/hosts
if [ -e /etc/machine-id ]; then : > /etc/machine-id; fi

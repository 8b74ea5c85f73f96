#!/bin/bash
# vm.sh — run a script on Debian 12's own kernel (6.1, whose tls module gives kTLS), in a small
# qemu guest whose userland is this machine's: preforkd's kTLS path needs TCP_ULP "tls", which
# the kernel this runs on may lack (issue 17).
#
#   test/ktls/vm.sh [SCRIPT [ARG...]]     (as root on Debian 12; KVM where it can, else TCG)
#
# SCRIPT (default test/ktls/inside.sh) runs as root inside the guest (KTLS_ACCEL: kvm or tcg),
# chrooted into this machine's root file system, which the guest mounts read-only over virtio-9p; /tmp, /run,
# /var/tmp and /var/log are the guest's own tmpfs. The guest's kernel has the tls module loaded
# and lo up, nothing else (no network). What SCRIPT prints goes to this terminal; what it writes
# to $KTLS_OUT (set for it) lands in KTLS_VM_OUT here. vm.sh exits with SCRIPT's status (124 when
# the guest ran out of time, 125 when it did not report one).
#
# Nothing of this is kept in the repository: it installs what is missing with apt-get
# (qemu-system-x86, busybox-static, kmod, cpio), downloads the kernel package that
# linux-image-amd64 depends on without installing it (apt-get download), unpacks it with
# dpkg-deb -x into the cache folder and builds the initramfs there.
#
# Environment [defaults]:
#   KTLS_VM_CACHE   [${TMPDIR:-/tmp}/preforkd-ktls-vm]  kernel package, unpacked tree, initramfs
#   KTLS_VM_OUT     [a new folder in the cache]          shared with the guest, writable
#   KTLS_VM_TIMEOUT [900]                                seconds the guest may run, in all
#   KTLS_VM_ACCEL   [auto]  kvm, or tcg (qemu emulates the CPU: inside.sh takes ~8 min); auto
#                   takes kvm unless this kernel's KVM is PVM (kvm_pvm: it runs only guest
#                   kernels built for it, and Debian's stock kernel hangs before its first line)
#   KTLS_VM_MEM [2G]  KTLS_VM_CPUS [2]
#   KTLS_VM_CIPHER_MODULES  [ctr gcm ccm aesni-intel chacha20poly1305 …]  "": none (what a
#                   kernel with the tls module but without its ciphers does)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${KTLS_VM_CACHE:-${TMPDIR:-/tmp}/preforkd-ktls-vm}
vm_timeout=${KTLS_VM_TIMEOUT:-900}
mem=${KTLS_VM_MEM:-2G}
cpus=${KTLS_VM_CPUS:-2}
accel=${KTLS_VM_ACCEL:-auto}
# The modules /init loads, with what they depend on (modules.dep) before them: 9p over virtio
# for the host's files, tls, and the ciphers the kernel looks up by name when a socket gets its
# keys (gcm(aes), ccm(aes), rfc7539(chacha20,poly1305)): on a real system the kernel's
# request_module() loads them through modprobe; this guest has none, and without them
# setsockopt(TLS_TX) fails and OpenSSL quietly stays in user space.
modules="virtio_pci 9pnet_virtio 9p tls"
cipher_modules=${KTLS_VM_CIPHER_MODULES-"ctr ghash-generic ghash-clmulni-intel gcm ccm aesni-intel chacha_generic
                chacha-x86_64 poly1305_generic poly1305-x86_64 chacha20poly1305"}

die() { echo "vm.sh: $*" >&2; exit 2; }
log() { echo "vm.sh: $(date +%H:%M:%S) $*" >&2; }

[[ $vm_timeout =~ ^[0-9]+$ ]] && [[ $cpus =~ ^[0-9]+$ ]] || die "KTLS_VM_TIMEOUT, KTLS_VM_CPUS: numbers"
[ "$(id -u)" -eq 0 ] || die "run as root (apt-get, /dev/kvm)"
case $accel in
    auto) if [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; else accel=tcg; fi ;;
    kvm) [ -r /dev/kvm ] && [ -w /dev/kvm ] || die "no usable /dev/kvm" ;;
    tcg) ;;
    *) die "KTLS_VM_ACCEL: auto, kvm or tcg" ;;
esac
# -cpu host, less IA32_ARCH_CAPABILITIES: under nested KVM (this machine is itself a guest) the
# host may refuse that MSR and qemu aborts (seen here; a KVM guest has not booted here yet). Under TCG "max" gives the guest AES-NI and AVX.
if [ "$accel" = kvm ]; then cpu=(-enable-kvm -cpu host,-arch-capabilities); else
    cpu=(-accel tcg,thread=multi -cpu max); fi
if [ $# -eq 0 ]; then set -- "$here/inside.sh"; fi
script=$(readlink -f "$1") || die "no script $1"
[ -x "$script" ] || die "$script is not executable"
shift
# The guest sees this machine's files, except where it has its own tmpfs.
for p in "$script" "$top" "$@"; do
    case $p in /tmp/* | /run/* | /var/tmp/* | /var/log/*)
        die "$p: the guest has its own empty /tmp, /run, /var/tmp and /var/log" ;; esac
done

# ---------------------------------------------------------------- packages
install_missing() {
    local p missing=()
    for p in qemu-system-x86 busybox-static kmod cpio; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
}

# The kernel package that linux-image-amd64 names (Debian 12: linux-image-6.1.0-NN-amd64),
# unpacked, with a modules.dep made for it (the package leaves that to depmod at install).
# Prints the kernel release.
fetch_kernel() {
    local pkg release deb
    pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
    if [ -z "$pkg" ]; then
        apt-get -o DPkg::Lock::Timeout=300 update -qq
        pkg=$(apt-cache depends linux-image-amd64 |
            awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
    fi
    [ -n "$pkg" ] || die "apt-cache names no kernel for linux-image-amd64"
    release=${pkg#linux-image-}
    mkdir -p "$cache/deb"
    deb=$(ls "$cache/deb/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        log "downloading $pkg"
        (cd "$cache/deb" && apt-get download "$pkg" >/dev/null 2>&1) || die "apt-get download $pkg failed"
        deb=$(ls "$cache/deb/${pkg}_"*.deb | head -n 1)
    fi
    if [ ! -f "$cache/kernel-$release/lib/modules/$release/modules.dep" ]; then
        rm -rf "$cache/kernel-$release"
        dpkg-deb -x "$deb" "$cache/kernel-$release"
        depmod -b "$cache/kernel-$release" "$release"
    fi
    echo "$release"
}

# Module paths (relative to lib/modules/RELEASE) in load order: for each wanted module, what
# modules.dep says it needs (that list is already ordered for loading from its end), then it.
module_order() { # release
    local dep=$cache/kernel-$1/lib/modules/$1/modules.dep m line path deps i
    local -A seen=()
    for m in $modules $cipher_modules; do
        if ! line=$(grep -E "/$m\.ko(\.[a-z]+)?:" "$dep"); then
            [[ " $modules " == *" $m "* ]] && die "no module $m in $dep"
            log "no module $m in $dep: the guest goes without"
            continue
        fi
        path=${line%%:*}
        read -r -a deps <<<"${line#*:}"
        for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
            [ -n "${seen[${deps[i]}]:-}" ] || { seen[${deps[i]}]=1; echo "${deps[i]}"; }
        done
        [ -n "${seen[$path]:-}" ] || { seen[$path]=1; echo "$path"; }
    done
}

# The guest's /init: load the modules, mount this machine's root read-only (9p) with tmpfs where
# programs write, bring up lo, run the job chrooted there, leave its status in the shared folder
# and power off (the kernel's panic=-1 and qemu's -no-reboot end the guest if /init dies).
write_init() { # file
    cat >"$1" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r m; do
    insmod "/modules/$m" || echo "init: insmod $m failed"
done </modules/order
mkdir -p /host
if ! mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /host; then
    echo "init: cannot mount the host's root"; poweroff -f
fi
for d in tmp run var/tmp var/log; do mount -t tmpfs -o mode=1777 tmpfs "/host/$d"; done
mount -t proc proc /host/proc
mount -t sysfs sysfs /host/sys
mount -t devtmpfs devtmpfs /host/dev
mkdir -p /host/dev/pts /host/dev/shm
# what udev would add: bash's <(…) needs /dev/fd
ln -sf /proc/self/fd /host/dev/fd
ln -sf /proc/self/fd/0 /host/dev/stdin
ln -sf /proc/self/fd/1 /host/dev/stdout
ln -sf /proc/self/fd/2 /host/dev/stderr
mount -t devpts devpts /host/dev/pts
mount -t tmpfs -o mode=1777 tmpfs /host/dev/shm
mkdir -p /host/tmp/ktls-out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /host/tmp/ktls-out
ip link set lo up
echo "init: kernel $(uname -r), tcp_available_ulp: $(cat /proc/sys/net/ipv4/tcp_available_ulp)"
chroot /host /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root TERM=dumb LANG=C.UTF-8 KTLS_OUT=/tmp/ktls-out /bin/bash /tmp/ktls-out/job.sh
echo $? >/host/tmp/ktls-out/rc
sync
umount /host/tmp/ktls-out
poweroff -f
INIT
    chmod 755 "$1"
}

build_initramfs() { # release: prints the initramfs' path
    local release=$1 root=$cache/initramfs-$1 m
    rm -rf "$root"
    mkdir -p "$root"/{bin,proc,sys,dev,modules}
    cp /bin/busybox "$root/bin/busybox"
    module_order "$release" >"$root/modules/order"
    while read -r m; do
        mkdir -p "$root/modules/$(dirname "$m")"
        cp "$cache/kernel-$release/lib/modules/$release/$m" "$root/modules/$m"
    done <"$root/modules/order"
    write_init "$root/init"
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$cache/initramfs-$release.gz"
    echo "$cache/initramfs-$release.gz"
}

# ---------------------------------------------------------------- run
install_missing
mkdir -p "$cache"
release=$(fetch_kernel)
initramfs=$(build_initramfs "$release")
out=${KTLS_VM_OUT:-$(mktemp -d "$cache/out.XXXXXX")}
mkdir -p "$out"
rm -f "$out/rc"
# the job, as the guest runs it: SCRIPT and its arguments, quoted
{
    printf 'cd %q || exit 1\n' "$top"
    printf 'export KTLS_ACCEL=%s\n' "$accel"
    printf 'exec'
    printf ' %q' "$script" "$@"
    printf '\n'
} >"$out/job.sh"
log "kernel $release ($accel), guest output below (shared folder $out)"
started=$(date +%s)
set +e
timeout --kill-after=10 "$vm_timeout" qemu-system-x86_64 "${cpu[@]}" -smp "$cpus" -m "$mem" \
    -nographic -no-reboot -nic none \
    -kernel "$cache/kernel-$release/boot/vmlinuz-$release" -initrd "$initramfs" \
    -append "console=ttyS0 quiet loglevel=3 panic=-1" \
    -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
    -virtfs "local,path=$out,mount_tag=out,security_model=none" </dev/null
q=$?
set -e
seconds=$(($(date +%s) - started))
log "guest ran $seconds s"
# how it ran, for bench.py report (test/bench/run.sh, BENCH_KTLS_VM=1)
printf '{"type": "tls-vm-run", "kernel": "%s", "accel": "%s", "cpus": %s, "seconds": %s}\n' \
    "$release" "$accel" "$cpus" "$seconds" >"$out/vm.json"
[ "$q" -eq 124 ] && { log "the guest ran out of time (${vm_timeout} s)"; exit 124; }
[ -f "$out/rc" ] || { log "the guest left no status (qemu: $q)"; exit 125; }
exit "$(cat "$out/rc")"

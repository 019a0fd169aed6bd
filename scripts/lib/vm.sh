# Pieces shared by the VM runners (scripts/vm-run, scripts/router-vm):
# initramfs trees and archives, the guest's swtpm, QEMU's command line.
# Sourced by bash scripts that run with set -euo pipefail; every function
# returns non-zero with a message on stderr, and the caller decides how to
# die. Needs $ROOT (the top of the tree).

VM_KERNEL_DEFAULT=$ROOT/build/kernel/arch/x86/boot/bzImage
VM_QEMU=${QEMU:-qemu-system-x86_64}
VM_SWTPM=${SWTPM:-swtpm}

# vm_need CMD...: each command is installed.
vm_need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null || { echo "$c not found (scripts/install-deps)" >&2; return 1; }
	done
}

# vm_add_libs TREE FILE: the shared libraries FILE needs, at their paths.
vm_add_libs() {
	local tree=$1 f=$2 lib
	# ldd fails on static binaries and scripts: nothing to add then.
	for lib in $(ldd "$f" 2>/dev/null | grep -oE '/[^ ]+' || true); do
		[ -e "$lib" ] || continue
		cp -L --parents "$lib" "$tree" || { echo "cannot copy $lib for $f" >&2; return 1; }
	done
}

# vm_add TREE SRC[:DST]: host file or directory SRC at DST in the tree
# (default /bin/NAME); an executable brings its shared libraries.
vm_add() {
	local tree=$1 spec=$2 src dst
	src=${spec%%:*}
	dst=${spec#*:}
	[ "$dst" != "$spec" ] || dst=/bin/$(basename "$src")
	[ -e "$src" ] || { echo "--add: $src does not exist" >&2; return 1; }
	mkdir -p "$tree$(dirname "$dst")"
	cp -rL "$src" "$tree$dst" || return 1
	if [ -f "$src" ] && [ -x "$src" ]; then
		vm_add_libs "$tree" "$src" || return 1
	fi
}

# vm_cpio TREE OUT: the tree as a newc archive owned by root (the kernel
# unpacks concatenated archives in order, later files win).
vm_cpio() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$2" ||
		{ echo "cannot archive $1" >&2; return 1; }
}

# vm_swtpm_start STATE SOCK: a swtpm on the provisioned (or stored)
# STATE (an absolute path), its control channel on the unix socket SOCK,
# its log in STATE/swtpm.log (SWTPM_LOG_LEVEL, default 1). Sets
# VM_SWTPM_PID. Extra arguments go before swtpm (a wrapper such as
# setpriv).
vm_swtpm_start() {
	local state=$1 sock=$2
	shift 2
	"$@" "$VM_SWTPM" socket --tpm2 --tpmstate dir="$state" \
		--ctrl type=unixio,path="$sock" \
		--log file="$state/swtpm.log",level="${SWTPM_LOG_LEVEL:-1}" &
	VM_SWTPM_PID=$!
	for _ in $(seq 100); do
		[ -S "$sock" ] && return 0
		kill -0 "$VM_SWTPM_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "swtpm did not start (log: $(tail -3 "$state/swtpm.log" 2>/dev/null))" >&2
	return 1
}

# vm_swtpm_keep SOCK: after QEMU was killed (SIGKILL: a clean exit sends
# the swtpm CMD_SHUTDOWN and its PCRs are lost), store the TPM's volatile
# state and stop the swtpm, so that swtpm-run --state resumes it with the
# PCRs the guest left.
vm_swtpm_keep() {
	swtpm_ioctl --unix "$1" -v >/dev/null || { echo "cannot store the TPM's volatile state" >&2; return 1; }
	swtpm_ioctl --unix "$1" -s >/dev/null || true
	wait "$VM_SWTPM_PID" 2>/dev/null || true
	VM_SWTPM_PID=
}

# vm_qemu_base KERNEL INITRD MEMORY APPEND SWTPM_SOCK CONSOLE_FILE: the
# start of QEMU's command line in the array VM_QEMU_ARGS: TCG (KVM guests
# hang on these machines), no default devices, the kernel on the first
# serial port (CONSOLE_FILE), the swtpm on tpm-tis. Callers add more
# serial ports and NICs.
vm_qemu_base() {
	VM_QEMU_ARGS=("$VM_QEMU" -accel tcg -machine pc -m "$3" -smp 1 -nodefaults
		-no-user-config -display none -no-reboot
		-kernel "$1" -initrd "$2"
		-append "console=ttyS0 panic=-1 oops=panic $4"
		-chardev file,id=con,path="$6" -serial chardev:con
		-chardev socket,id=chrtpm,path="$5"
		-tpmdev emulator,id=tpm0,chardev=chrtpm -device tpm-tis,tpmdev=tpm0)
}

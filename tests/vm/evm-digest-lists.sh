#!/bin/sh
# Inside the test VM (boot 3 of tests/vm/check-kernel): a file that passes
# IMA appraisal by a digest list still has its metadata verified by EVM.
# The kernel booted with the test key on .evm (EVM_INIT_X509, portable
# signatures) and this IMA policy:
#
#   appraise func=DIGEST_LIST_CHECK appraise_type=imasig|modsig
#   appraise func=BPRM_CHECK fowner=1000 digest_list=appraise
#
#   evm-digest-lists.sh DIR KEY CERT
#
# DIR holds plain.sh, capped.sh, portable.sh, moded.sh, capped-portable.sh
# and e.list, an immutable list of their digests signed by KEY (appended
# signature). Every file is in the list, so without EVM each would run.
# TAP output.
set -u
DIR=$1 KEY=$2 CERT=$3
DL=/sys/kernel/security/ima/digest_lists
W=/tmp/evm
n=0
fails=0
ok() { # status description
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}
runs() { [ "$("$W/$1" 2>/dev/null)" = "$1" ]; }
# An EVM portable signature over the file as it is: security.ima (its
# hash), its mode and owner, and no other protected xattr.
# (tmpfs has no inode generation to read: give it, portable signatures
# do not cover it.)
evm_sign() {
	evmctl sign --portable --imahash --hashalgo sha256 --key "$KEY" \
		--keyid-from-cert "$CERT" --generation 0 "$W/$1" >/dev/null 2>&1
}
# security.capability with cap_net_raw permitted and effective.
CAP=0x0100000200200000000000000000000000000000

echo "TAP version 13"
echo "1..8"

[ "$(cat /sys/kernel/security/evm)" = 2 ]
ok $? "EVM is on, with the portable signature key only"

mkdir -p "$W"
cp "$DIR"/*.sh "$W/"
chown 1000 "$W"/*.sh
chmod 755 "$W"/*.sh
echo "$DIR/e.list" >"$DL/load" &&
	grep -q " immutable measured,appraised,signed measure,appraise $DIR/e.list\$" "$DL/lists"
ok $? "the signed immutable list loads and earns appraisal"

runs plain.sh
ok $? "a listed file with no protected xattr runs (nothing for EVM to verify)"

# A protected xattr without security.evm: what an offline attacker who
# cannot sign adds to a listed binary.
setfattr -n security.capability -v $CAP "$W/capped.sh" && ! runs capped.sh
ok $? "a listed file given security.capability, without security.evm, is refused"

# EVM refuses to add security.evm to a file that already has a protected
# xattr (the security.ima that evmctl writes first) but no security.evm.
# From here on it lets metadata be written without checking it first
# (EVM_ALLOW_METADATA_WRITES), as when the disk is changed offline; it
# still verifies what it finds when a file is appraised.
echo 4 >/sys/kernel/security/evm
evm_sign portable.sh && runs portable.sh
ok $? "a listed file with a valid EVM portable signature runs"

evm_sign moded.sh && evm_sign capped-portable.sh && runs moded.sh &&
	chmod 4755 "$W/moded.sh" && ! runs moded.sh
ok $? "a listed file whose mode changed after its EVM signature (set-user-ID) is refused"

setfattr -n security.capability -v $CAP "$W/capped-portable.sh" &&
	! runs capped-portable.sh
ok $? "a listed file given security.capability after its EVM signature is refused"

runs portable.sh && ! runs capped.sh
ok $? "the untouched signed file still runs, the unsigned capped one is still refused"

echo "# $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]

#!/bin/sh
# kselftest-style (TAP) test, run inside the VM: the IMA measurement list,
# the PCR the kernel reads from the TPM, and the files IMA measured agree.
# Needs imalog in PATH and a policy that measures executables (e.g.
# tests/vm/ima-measure.policy or tests/vm/ima-digest-lists.policy).

LOG=/sys/kernel/security/ima/binary_runtime_measurements
n=0
fails=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}

lower() { tr 'A-F' 'a-f'; }

echo "TAP version 13"
echo "1..5"

# securityfs reports size 0: read to see that there is content.
[ "$(head -c 64 "$LOG" | wc -c)" -eq 64 ]
ok $? "IMA binary measurement list is readable and not empty"

first=$(imalog show "$LOG" | head -n 1)
case $first in *" boot_aggregate") r=0 ;; *) r=1 ;; esac
ok $r "first measurement is boot_aggregate"

# Snapshot the log and read the PCR with nothing executed in between, so
# no new measurement can slip between the two.
for bank in sha256 sha1; do
	cat "$LOG" >/tmp/log.$bank
	pcr=$(lower </sys/class/tpm/tpm0/pcr-$bank/10)
	replay=$(imalog replay --bank $bank /tmp/log.$bank)
	[ -n "$pcr" ] && [ "$pcr" = "$replay" ]
	ok $? "replayed log equals TPM PCR 10 ($bank bank): ${replay:-no replay}"
done

# A file never run before gets exactly one new entry with its digest.
prog=/tmp/unknown-$$.sh
printf '#!/bin/sh\n# %s\ntrue\n' "$(date +%s)-$$" >$prog
chmod +x $prog
before=$(imalog show "$LOG" | grep -c " $prog\$")
$prog
want=$(sha256sum $prog | cut -d' ' -f1)
after=$(imalog show "$LOG" | grep " $prog\$")
[ "$before" = 0 ] && [ "$(echo "$after" | grep -c .)" = 1 ] &&
	echo "$after" | grep -q "sha256:$want "
ok $? "a new executable is measured once with its SHA-256 digest"

echo "# $((n - fails)) passed, $fails failed"
[ $fails -eq 0 ]

# Shared helpers for the shell test suites: TAP-like lines and a
# closing "N passed, N failed".
pass=0
fail=0
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${TRUSTROUTE_BIN:-$ROOT/build/default/bin} # another build to test: TRUSTROUTE_BIN
# TRUSTROUTE_TEST_STORE=pg: the script again under pg-run, whose server
# (of the test's own) is the store: $NMS_DB and db_sql below.
if [ "${TRUSTROUTE_TEST_STORE:-}" = pg ] && [ -z "${TRUSTROUTE_PG:-}" ]; then
	exec "$BIN/pg-run" -- "$0" "$@"
fi
T=$(mktemp -d "${TMPDIR:-/tmp}/trustroute-test.XXXXXX")
trap 'rm -rf "$T"' EXIT

# The NMS's store: a SQLite file, or the PostgreSQL database of pg-run.
if [ "${TRUSTROUTE_TEST_STORE:-}" = pg ]; then
	NMS_DB=$TRUSTROUTE_PG
else
	NMS_DB=$T/nms.db
fi
# db_sql SQL: its rows, columns joined by '|', on either backend (blob
# literals X'..' become PostgreSQL's '\x..'::bytea there).
db_sql() {
	if [ "${TRUSTROUTE_TEST_STORE:-}" = pg ]; then
		psql -X -q -t -A -v ON_ERROR_STOP=1 "$TRUSTROUTE_PG_CONNINFO" \
			-c "$(printf %s "$1" | sed -E "s/[xX]'([0-9a-fA-F]*)'/'\\\\x\1'::bytea/g")"
	else
		sqlite3 "$NMS_DB" "$1"
	fi
}

result() { # status description [details]
	if [ "$1" = 0 ]; then
		echo "ok - $2"
		pass=$((pass + 1))
	else
		echo "not ok - $2"
		[ -z "${3:-}" ] || echo "$3" | sed 's/^/#   /'
		fail=$((fail + 1))
	fi
}

# expect_fail CODE PATTERN DESCRIPTION -- COMMAND...: the command exits
# with CODE (or any non-zero for "nonzero") and says PATTERN on stderr.
expect_fail() {
	local code=$1 pat=$2 what=$3 out rc
	shift 4
	out=$("$@" 2>&1 >/dev/null)
	rc=$?
	if { [ "$code" = nonzero ] && [ $rc -ne 0 ]; } || [ "$rc" = "$code" ]; then
		echo "$out" | grep -qE "$pat"
		result $? "$what" "exit $rc, said: $out"
	else
		result 1 "$what" "exit $rc (wanted $code), said: $out"
	fi
}

# Processes whose command line mentions PATTERN, other than ourselves.
strays() { pgrep -f "$1" | grep -vx "$$" || true; }

# The TPM command codes the swtpm received so far, one a line (8 hex
# digits, e.g. 0000015D TPM2_Sign): under swtpm-run with
# SWTPM_LOG_LEVEL=20, from its log (TRUSTROUTE_SWTPM_LOG).
tpm_commands() {
	awk '/SWTPM_IO_Read/ { getline; print $7 $8 $9 $10 }' "$TRUSTROUTE_SWTPM_LOG"
}

finish() {
	echo "$pass passed, $fail failed"
	[ $fail -eq 0 ]
}

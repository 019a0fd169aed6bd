# An NMS and routers for the script tests of the operator's view: the
# vendor's reference lists, nmsd with its API, and routers that each have
# their own swtpm, boot as our kernel would (ima-sim measures the lists
# into PCR 11), enroll, attest and serve their sealed-key endpoint.
# Source after lib.sh; $T is the test's directory, $pids the processes to
# stop on exit.
export OPENSSL_MODULES=${OPENSSL_MODULES:-$ROOT/build/default/lib/ossl-modules}
LISTS_DIR=/etc/trustroute/digest_lists
pids=()

wait_file() { for _ in $(seq 200); do [ -s "$1" ] && return 0; sleep 0.05; done; return 1; }

# make_lists: the image's lists ($LISTS, --reference-list args in $REFS)
# and a known-bad list ($T/bad.list, naming $T/evil/rootkit).
make_lists() {
	mkdir -p "$T/image/bin" "$T/lists" "$T/evil" "$T/ca"
	printf 'routed\n' >"$T/image/bin/routed"
	chmod 755 "$T/image/bin/routed"
	"$BIN/digestlist" gen dir --output "$T/lists/10-image.list" "$T/image" >/dev/null
	printf 'a rootkit\n' >"$T/evil/rootkit"
	chmod 755 "$T/evil/rootkit"
	"$BIN/digestlist" gen dir --output "$T/bad.list" "$T/evil" >/dev/null
	LISTS=()
	for l in "$T"/lists/*.list "$T"/lists/*.list.mutable; do [ -e "$l" ] && LISTS+=("$l"); done
	REFS=()
	for l in "${LISTS[@]}"; do REFS+=(--reference-list "$l"); done
	export LIST_FILES="${LISTS[*]}"
}

# nmsd_start [OPTION...]: the NMS CA, then nmsd with EST, PT-TLS and the
# API on free ports ($EST, $TNC, $API; $URL is the API's), logging to
# $T/nmsd.log.
nmsd_start() {
	[ -s "$T/ca/ca.pem" ] ||
		"$BIN/nmsd" init-ca --ca-dir "$T/ca" --server-names localhost,127.0.0.1 >/dev/null
	# The TPM makers' CA is made when the first TPM is provisioned.
	[ -s "$ROOT/build/tpm-ca/swtpm-localca-rootca-cert.pem" ] ||
		"$ROOT/scripts/swtpm-setup-state" "$T/first.tpm" >/dev/null
	rm -f "$T/est.port" "$T/tnc.port" "$T/api.port"
	"$BIN/nmsd" --db "$NMS_DB" --ca-dir "$T/ca" \
		--ek-roots "$ROOT/build/tpm-ca/swtpm-localca-rootca-cert.pem" \
		--ek-intermediates "$ROOT/build/tpm-ca/issuercert.pem" \
		"${REFS[@]}" --lists-name-dir "$LISTS_DIR" --known-bad-list "$T/bad.list" \
		--port 0 --port-file "$T/est.port" --tnc-port 0 --tnc-port-file "$T/tnc.port" \
		--api-port 0 --api-port-file "$T/api.port" "$@" 2>>"$T/nmsd.log" &
	nmsd_pid=$!
	pids+=($nmsd_pid)
	wait_file "$T/api.port" && wait_file "$T/tnc.port" || return 1
	EST=$(cat "$T/est.port")
	TNC=$(cat "$T/tnc.port")
	API=$(cat "$T/api.port")
	URL=https://127.0.0.1:$API
}

# router_enroll NAME: a new TPM, a first boot, enrollment.
router_enroll() {
	mkdir -p "$T/$1"
	"$ROOT/scripts/swtpm-setup-state" "$T/$1.tpm" >/dev/null &&
		"$BIN/swtpm-run" --state "$T/$1.tpm" -- bash -c '
			"$0" --log "$1" boot-aggregate >/dev/null &&
			"$0" --log "$1" lists --name-dir "$2" $LIST_FILES >/dev/null &&
			"$3" enroll --state-dir "$4" --nms "https://localhost:$5" \
				--nms-ca "$6" --device "$(basename "$4")" --max-attempts 1' \
			"$BIN/ima-sim" "$T/$1.ima" "$LISTS_DIR" "$BIN/trustroute-agent" \
			"$T/$1" "$EST" "$T/ca/ca.pem" >"$T/$1.enroll" 2>&1
}

# router_boot NAME SCRIPT: in the background, a new boot of NAME's TPM
# (the lists measured, its TCTI in $T/NAME.tcti), then SCRIPT in bash with
# $R (the router's state), $IMA (its log), $AGENT, $TNC and $CA set.
# attest_cmd and serve_cmd say how to run the agent.
router_boot() {
	local name=$1 script=$2
	rm -f "$T/$name.ima" "$T/$name.port"
	R=$T/$name IMA=$T/$name.ima AGENT=$BIN/trustroute-agent CA=$T/ca/ca.pem \
		SIM=$BIN/ima-sim TNC=$TNC EST=$EST \
		"$BIN/swtpm-run" --state "$T/$name.tpm" -- bash -c '
			echo "$TRUSTROUTE_TCTI" >"$R.tcti"
			"$SIM" --log "$IMA" boot-aggregate >/dev/null &&
			"$SIM" --log "$IMA" lists --name-dir "$0" $LIST_FILES >/dev/null &&
			eval "$1"' "$LISTS_DIR" "$script" >"$T/$name.out" 2>&1 &
	pids+=($!)
}
# Agent command lines for router_boot scripts.
ATTEST='"$AGENT" attest --state-dir "$R" --tnc 127.0.0.1 --tnc-port "$TNC" --tnc-name localhost --nms-ca "$CA" --ima-log "$IMA"'
SERVE='exec "$AGENT" serve --state-dir "$R" --listen 127.0.0.1 --port 0 --port-file "$R.port"'

# The router's trust state in the store.
trust() { db_sql "SELECT trust FROM devices WHERE name = '$1'"; }
# wait_trust NAME STATE: until the store says so (10 s at most).
wait_trust() {
	for _ in $(seq 200); do [ "$(trust "$1")" = "$2" ] && return 0; sleep 0.05; done
	return 1
}

nms_cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}

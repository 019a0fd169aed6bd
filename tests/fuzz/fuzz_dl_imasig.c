// SPDX-License-Identifier: GPL-2.0-only
/*
 * Fuzz target: security.ima v2 signature values (and, for inputs that end
 * in a module signature trailer, appended modsigs) checked against fixed
 * data and fixed certificates. The certificates are embedded so that the
 * seeds in tests/fuzz/seeds/dl_imasig/ are valid signatures and mutations
 * reach the signature check; their private keys are not kept.
 */
#include "digest-lists/lib/dl_sign.h"
#include "fuzz.h"

#include <openssl/pem.h>
#include <stdlib.h>

/* What the seeds sign. */
static const uint8_t fixed_data[] = "trustroute fuzz digest list\n";

static const char ec_cert_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIBkDCCATegAwIBAgIUNzLbF4cwB23XfZQ6ryM5qu3oC+8wCgYIKoZIzj0EAwIw\n"
	"HTEbMBkGA1UEAwwSdHJ1c3Ryb3V0ZS1mdXp6LWVjMCAXDTI2MTEyMTA2NDM1NFoY\n"
	"DzIxMjYxMDI4MDY0MzU0WjAdMRswGQYDVQQDDBJ0cnVzdHJvdXRlLWZ1enotZWMw\n"
	"WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQaBeshkXNKmoMEOjicwxvnk2D0roeS\n"
	"P5oI1Koh91804Wvfwhh4ViJcqf9Wa37BEq2MmdhPY3wWYwUi8t+xJYMlo1MwUTAd\n"
	"BgNVHQ4EFgQUmse6ovy+sZg2Wb6jo+igW4/f0ycwHwYDVR0jBBgwFoAUmse6ovy+\n"
	"sZg2Wb6jo+igW4/f0ycwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBE\n"
	"AiATun9w7e+/moHsN5mYPa7a37F6Ob4C4XFQ3vpfjcgStgIgQv/oHDqvfMejmDM1\n"
	"XWN6PeTU3/xGoSQQhF1dlRmUTxc=\n"
	"-----END CERTIFICATE-----\n";

static const char rsa_cert_pem[] =
	"-----BEGIN CERTIFICATE-----\n"
	"MIIDHzCCAgegAwIBAgIUa00JhnEf/mBZPbDG2PEyQjsEGnIwDQYJKoZIhvcNAQEL\n"
	"BQAwHjEcMBoGA1UEAwwTdHJ1c3Ryb3V0ZS1mdXp6LXJzYTAgFw0yNjExMjEwNjQz\n"
	"NTRaGA8yMTI2MTAyODA2NDM1NFowHjEcMBoGA1UEAwwTdHJ1c3Ryb3V0ZS1mdXp6\n"
	"LXJzYTCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAMl+MFhO0D1RsuXE\n"
	"FY8dJF8ZZTdZJU6P9/+XTiBLgVB4lwIMwf7bd4xLVdTQ2XiPuN8t6eyDIN0GqOjE\n"
	"HjsqIkpRYvJ2lH3eJykYc/MHh4oYYU5dP2aYi3PEM+QeARMPJSkgZFVEIdO3k8dw\n"
	"8IOCbkBax4CkgIVGFceAMxSBw65XZ8+MfmT5qMSinQL9tynQ0WiXpewzH3JXeqFr\n"
	"Mcv8At3pU/QTwXXKF6xigS35Y0gciZYuiFGNkFjrHBAcDJCb5W8P1uozbI4L7N8u\n"
	"z7FFO02bxAYF6M9b0R/7AiZobGYSfhDBogF6UuuPWNMu61uZAiUhou/Cl4XLkg4b\n"
	"VrDNEAUCAwEAAaNTMFEwHQYDVR0OBBYEFPHx5m+tzbxMUuiMgGjQoGMmTTLNMB8G\n"
	"A1UdIwQYMBaAFPHx5m+tzbxMUuiMgGjQoGMmTTLNMA8GA1UdEwEB/wQFMAMBAf8w\n"
	"DQYJKoZIhvcNAQELBQADggEBABJCYlfFvUESqeJgvRS2jlEpENJhQwwCHRa5W5l+\n"
	"XzkWmNaXo4Mrq/+Iw9AO3Ue6dXLfX2Diojzl5S+//Qgo46Sq6sS5+VGqZD++yzrE\n"
	"CAz/qmlQoFcaqF/irpX1I+PcDO/+/dZRZD7knF1u7d7EbrysZJHr4eZfCVZZHsAX\n"
	"3uJ6claHLWSAxjcH4VpSLuSHoivOpcb/msj90PX8/ISub3HrqhkfelgSkAt7d1jt\n"
	"ho8CzD8FgLv5F7THlfOZkJbpZLLw9RXYhRUNJwQX6Ao2tyTGaZCc/arXtsrMQZYt\n"
	"wr7ZIjk/xJ5VWik3X59Ly0dyMdCG65tvs7X3RP7lNEp9mJo=\n"
	"-----END CERTIFICATE-----\n";

static X509 *certs[2];

static X509 *load(const char *pem)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	if (!x)
		abort();
	return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	/* Loaded once, kept for the whole run. */
	if (!certs[0]) {
		certs[0] = load(ec_cert_pem);
		certs[1] = load(rsa_cert_pem);
	}
	for (int i = 0; i < 2; i++)
		if (!dl_imasig_verify(fixed_data, sizeof(fixed_data), data,
				      size, certs[i], err, sizeof(err)))
			fuzz_sink++;
	if (!dl_modsig_verify(data, size, certs[1], err, sizeof(err)))
		fuzz_sink++;
	return 0;
}

package runner

import "testing"

func TestGatewayClass(t *testing.T) {
	for _, tc := range []struct {
		body, code, class string
	}{
		// Ark's endpoint quotas, one per dimension.
		{`{"error":{"code":"RateLimitExceeded.EndpointRPMExceeded","message":"The Requests Per Minute (RPM) limit of the associated endpoint for your account has been exceeded. Request id: 0217","param":"","type":"TooManyRequests"}}`,
			"RateLimitExceeded.EndpointRPMExceeded", ClassQuotaRPM},
		{`{"error":{"code":"RateLimitExceeded.EndpointTPMExceeded","message":"TPM","type":"TooManyRequests"}}`, "RateLimitExceeded.EndpointTPMExceeded", ClassQuotaTPM},
		// Ark's account-wide model quotas.
		{`{"error":{"code":"ModelAccountRpmRateLimitExceeded","message":"m"}}`, "ModelAccountRpmRateLimitExceeded", ClassQuotaRPM},
		{`{"error":{"code":"ModelAccountTpmRateLimitExceeded","message":"m"}}`, "ModelAccountTpmRateLimitExceeded", ClassQuotaTPM},
		// Overload is the service's, not the account's.
		{`{"error":{"code":"ServerOverloaded","message":"busy","type":"TooManyRequests"}}`, "ServerOverloaded", ClassOverloaded},
		// A generic rate limit says nothing the status does not.
		{`{"error":{"code":"RateLimitExceeded","message":"rate limit exceeded"}}`, "RateLimitExceeded", ""},
		// OpenAI's rate_limit_exceeded: the message names the dimension.
		{`{"error":{"code":"rate_limit_exceeded","message":"Rate limit reached on tokens per min (TPM): Limit 30000"}}`, "rate_limit_exceeded", ClassQuotaTPM},
		{`{"error":{"code":"rate_limit_exceeded","message":"Rate limit reached on requests per min (RPM)"}}`, "rate_limit_exceeded", ClassQuotaRPM},
		// Context length: OpenAI's code, or Ark's InvalidParameter with a context message.
		{`{"error":{"code":"context_length_exceeded","message":"too long"}}`, "context_length_exceeded", ClassContextTooLong},
		{`{"error":{"code":"InvalidParameter","message":"Total tokens of the request exceed the model's context window of 262144","param":"messages","type":"BadRequest"}}`, "InvalidParameter", ClassContextTooLong},
		{`{"error":{"code":"InvalidParameter","message":"temperature must be in [0, 2]","type":"BadRequest"}}`, "InvalidParameter", ""},
		// Auth and not-found keep their code but are classed by status.
		{`{"error":{"code":"InvalidEndpointOrModel.NotFound","message":"The model or endpoint x does not exist","type":"NotFound"}}`, "InvalidEndpointOrModel.NotFound", ""},
		// A numeric code is kept as its text.
		{`{"error":{"code":1301,"message":"x"}}`, "1301", ""},
		// Not an envelope.
		{`<html>bad gateway</html>`, "", ""},
		{`{"error":{"code":null,"message":"x"}}`, "", ""},
	} {
		code, msg := gatewayError([]byte(tc.body))
		if code != tc.code {
			t.Errorf("%s: code %q, want %q", tc.body, code, tc.code)
		}
		if c := gatewayClass(code, msg); c != tc.class {
			t.Errorf("%s: class %q, want %q", tc.body, c, tc.class)
		}
	}
}

func FuzzGatewayError(f *testing.F) {
	f.Add([]byte(`{"error":{"code":"ServerOverloaded","message":"m"}}`))
	f.Add([]byte(`{"error":{"code":12,"message":"m"}}`))
	f.Add([]byte(`{"error":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		code, msg := gatewayError(b)
		if len(code) > 128 {
			t.Fatalf("code of %d bytes kept", len(code))
		}
		_ = gatewayClass(code, msg)
	})
}

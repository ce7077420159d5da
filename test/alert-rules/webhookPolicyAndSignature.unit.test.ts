/**
 * Webhook URLs (https to public hosts unless allow-listed) and signatures a receiver can
 * verify (HMAC-SHA256 over "<timestamp>.<body>", fresh within 5 minutes).
 */
import { assert, describe, it } from "@effect/vitest";
import { Result } from "effect";
import { checkWebhookUrl, signWebhookBody, verifyWebhookSignature } from "../../plugins/webhook-notifier/index.ts";

const allowed = (url: string, hosts: ReadonlyArray<string> = []) => Result.isSuccess(checkWebhookUrl(url, hosts));

describe("webhook URL policy", () => {
  it("accepts https to public hosts", () => {
    assert.isTrue(allowed("https://hooks.example.com/anansky"));
    assert.isTrue(allowed("https://93.184.216.34:8443/x"));
  });

  it("refuses plain http, credentials, loopback, private, link-local and local names", () => {
    for (const url of [
      "http://hooks.example.com/a",
      "https://user:pass@hooks.example.com/a",
      "https://127.0.0.1/a",
      "https://localhost/a",
      "https://api.localhost/a",
      "https://10.1.2.3/a",
      "https://172.20.0.1/a",
      "https://192.168.1.1/a",
      "https://169.254.169.254/latest/meta-data",
      "https://100.64.0.1/a",
      "https://0.0.0.0/a",
      "https://[::1]/a",
      "https://[fd00::1]/a",
      "https://[fe80::1]/a",
      "https://[::ffff:127.0.0.1]/a",
      "ftp://hooks.example.com/a",
      "not a url",
    ]) {
      assert.isFalse(allowed(url), url);
    }
  });

  it("lets allow-listed hosts use loopback and plain http, by host or host:port", () => {
    assert.isTrue(allowed("http://127.0.0.1:9000/hook", ["127.0.0.1:9000"]));
    assert.isFalse(allowed("http://127.0.0.1:9001/hook", ["127.0.0.1:9000"]));
    assert.isTrue(allowed("http://localhost:1234/hook", ["localhost"]));
  });
});

describe("webhook signatures", () => {
  const secret = "whsec_test";
  const body = JSON.stringify({ id: "r1", type: "AlertRaised" });
  const now = 1_735_689_600_000;
  const timestamp = String(now / 1000);

  it("verifies what it signed, and nothing altered or stale", async () => {
    const signature = await signWebhookBody(secret, now / 1000, body);
    assert.match(signature, /^v1=[0-9a-f]{64}$/);
    assert.isTrue(await verifyWebhookSignature({ secret, body, timestamp, signature, nowMs: now }));
    assert.isFalse(await verifyWebhookSignature({ secret, body: `${body} `, timestamp, signature, nowMs: now }));
    assert.isFalse(await verifyWebhookSignature({ secret: "other", body, timestamp, signature, nowMs: now }));
    assert.isFalse(await verifyWebhookSignature({ secret, body, timestamp, signature, nowMs: now + 301_000 }));
    assert.isFalse(await verifyWebhookSignature({ secret, body, timestamp: undefined, signature, nowMs: now }));
  });
});

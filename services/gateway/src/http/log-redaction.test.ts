/**
 * redactUrl: a secret placed anywhere a request target can carry one besides the path itself (userinfo of an
 * absolute-form or network-path target, the query, a fragment, matrix parameters) never survives; the path does.
 */
import fc from "fast-check";
import { redactUrl } from "./log-redaction";

const segment = fc.stringMatching(/^[a-z0-9._-]{1,12}$/);
const path = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`);
const secret = fc.stringMatching(/^[A-Za-z0-9_-]{16,40}$/).map((s) => `SECRET${s}`);

test("no secret survives in userinfo, query, fragment or matrix parameters; the path does", () => {
  fc.assert(
    fc.property(path, secret, fc.constantFrom("?api_key=", "?a=1&access_token=", "#", ";key=", "?key="), fc.constantFrom("", "http://", "https://", "//"), (p, s, tail, scheme) => {
      const authority = scheme ? `${scheme}me:${s}@gateway.example` : "";
      const target = `${authority}${p}${tail}${s}`;
      const logged = redactUrl(target);
      expect(logged).not.toContain(s);
      expect(logged).toContain(p);
    }),
    { numRuns: 300 },
  );
});

test("a plain path is logged as it is; a query becomes ?[redacted]", () => {
  expect(redactUrl("/v1/models/mistral-7b")).toBe("/v1/models/mistral-7b");
  expect(redactUrl("/v1/models?api_key=sk-1")).toBe("/v1/models?[redacted]");
  expect(redactUrl("http://u:sk-1@host/v1/models")).toBe("http://[redacted]@host/v1/models");
});

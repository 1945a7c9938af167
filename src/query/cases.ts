/**
 * The shared filter table: each filter with the number of entries of
 * fixtures/query/entries.jsonl it must match, through the predicate and
 * through SQL alike. Counts were worked out with the jq condition beside each
 * filter (run over the same file, never from podtap's compilers);
 * cases.test.ts re-runs jq when it is installed and checks they still agree.
 *
 * jq helpers available in the conditions: num, str (type tests), and $now.
 */

/** What `now()` is in the table: 2026-11-27T16:50:00Z, 87 s after the lab capture's last entry. */
export const CASES_NOW = 1_795_798_200_000;

export interface FilterCase { filter: string; count: number; jq: string }

export const CASES: readonly FilterCase[] = [
  // Protocol macros
  { filter: 'http', count: 36, jq: '.protocol == "http"' },
  { filter: 'dns', count: 39, jq: '.protocol == "dns"' },
  { filter: 'redis', count: 0, jq: '.protocol == "redis"' },
  { filter: 'grpc or kafka or amqp or postgres or mysql or mqtt or nats or ws or websocket or http2', count: 0, jq: '.protocol | IN("grpc","kafka","amqp","postgres","mysql","mqtt","nats","websocket","http2")' },
  { filter: 'tcp', count: 39, jq: '.transport == "tcp"' },
  { filter: 'udp and dns', count: 36, jq: '.transport == "udp" and .protocol == "dns"' },
  { filter: 'dns && tcp', count: 3, jq: '.transport == "tcp" and .protocol == "dns"' },
  { filter: 'redis and request.command == "GET"', count: 0, jq: '.protocol == "redis" and .request.command == "GET"' },
  // Numbers
  { filter: 'http and response.status >= 500', count: 3, jq: '.protocol == "http" and (.response.status | num) and .response.status >= 500' },
  { filter: 'response.status == 404', count: 4, jq: '.response.status == 404' },
  { filter: 'response.status != 200', count: 11, jq: '(.response.status | num) and .response.status != 200' },
  { filter: 'response.status < 300', count: 27, jq: '(.response.status | num) and .response.status < 300' },
  { filter: 'response.status in [200, 204, 304]', count: 26, jq: '.response.status | IN(200, 204, 304)' },
  { filter: 'response.status in []', count: 0, jq: 'false' },
  { filter: 'response.status >= 200 and response.status < 300 or response.status == 404', count: 29, jq: '(.response.status | num) and ((.response.status >= 200 and .response.status < 300) or .response.status == 404)' },
  { filter: 'response.status == "200"', count: 0, jq: 'false' },
  { filter: 'response.status > "100"', count: 0, jq: 'false' },
  { filter: 'response.body.size > 100', count: 2, jq: '(.response.body.size | num) and .response.body.size > 100' },
  { filter: 'elapsedTime == 0', count: 9, jq: '.elapsedTime == 0' },
  { filter: 'elapsedTime > seconds(1)', count: 1, jq: '.elapsedTime > 1000' },
  { filter: 'elapsedTime + 100 > 400', count: 2, jq: '.elapsedTime + 100 > 400' },
  { filter: 'elapsedTime - 10 < 0', count: 62, jq: '.elapsedTime - 10 < 0' },
  { filter: 'dst.port in [53, 5353]', count: 39, jq: '.dst.port | IN(53, 5353)' },
  { filter: 'src.port > dst.port', count: 69, jq: '.src.port > .dst.port' },
  { filter: 'dns and response.answers[0].ttl > 0', count: 30, jq: '.protocol == "dns" and (.response.answers[0].ttl? | num) and .response.answers[0].ttl > 0' },
  // Strings
  { filter: 'request.method in ["POST", "DELETE"]', count: 7, jq: '.request.method | IN("POST", "DELETE")' },
  { filter: 'request.method == "GET" && response.status == 200', count: 17, jq: '.request.method == "GET" and .response.status == 200' },
  { filter: 'request.method == "get"', count: 0, jq: 'false' },
  { filter: 'request.method < "H"', count: 28, jq: '(.request.method | str) and .request.method < "H"' },
  { filter: 'request.path.startsWith("/api")', count: 6, jq: '(.request.path | str) and (.request.path | startswith("/api"))' },
  { filter: 'request.path.endsWith(".js")', count: 1, jq: '(.request.path | str) and (.request.path | endswith(".js"))' },
  { filter: 'request.path.contains("?")', count: 8, jq: '(.request.path | str) and (.request.path | contains("?"))' },
  { filter: 'request.path.startsWith("")', count: 35, jq: '.request.path | str' },
  { filter: 'request.headers.host.contains("svc")', count: 8, jq: '(.request.headers.host | str) and (.request.headers.host | contains("svc"))' },
  { filter: 'src.ip.startsWith("10.") and !(src.ip.startsWith("10.231."))', count: 16, jq: '(.src.ip | startswith("10.")) and (.src.ip | startswith("10.231.") | not)' },
  { filter: 'src.ip == dst.ip', count: 4, jq: '.src.ip == .dst.ip' },
  { filter: 'id.startsWith("lab/") && dns && transport == "tcp"', count: 1, jq: '(.id | startswith("lab/")) and .protocol == "dns" and .transport == "tcp"' },
  { filter: 'connectionId == "c7" and response.status == 404', count: 2, jq: '.connectionId == "c7" and .response.status == 404' },
  // Regexes
  { filter: 'request.path == r"/api/v[0-9]+/cart.*"', count: 2, jq: '(.request.path | str) and (.request.path | test("^(?:/api/v[0-9]+/cart.*)$"))' },
  { filter: 'request.path == r"/api"', count: 0, jq: '.request.path == "/api"' },
  { filter: 'request.path != r"/api/.*"', count: 29, jq: '(.request.path | str) and (.request.path | test("^(?:/api/.*)$") | not)' },
  { filter: 'request.path.matches(r"v[12]/")', count: 6, jq: '(.request.path | str) and (.request.path | test("v[12]/"))' },
  { filter: 'request.path.matches("^/[a-z]+$")', count: 18, jq: '(.request.path | str) and (.request.path | test("^/[a-z]+$"))' },
  { filter: 'request.path.matches(r"^/(x|y)")', count: 8, jq: '(.request.path | str) and (.request.path | test("^/(x|y)"))' },
  { filter: 'dns and request.questions[0].name == r".*\\.svc\\..*"', count: 3, jq: '.protocol == "dns" and (.request.questions[0].name? | str) and (.request.questions[0].name | test("^(?:.*\\\\.svc\\\\..*)$"))' },
  { filter: 'response.rcodeName == r"NX.*"', count: 6, jq: '(.response.rcodeName? | str) and (.response.rcodeName | test("^NX"))' },
  // Names, namespaces (added by enrich.jq) and the missing-field rules
  { filter: 'dst.name == "cart" and elapsedTime > 250', count: 3, jq: '.dst.name == "cart" and .elapsedTime > 250' },
  { filter: 'dst.name == "cart"', count: 8, jq: '.dst.name == "cart"' },
  { filter: 'src.namespace == "kube-system"', count: 18, jq: '.src.namespace == "kube-system"' },
  { filter: '!(src.namespace == "kube-system")', count: 57, jq: '.src.namespace != "kube-system"' },
  { filter: 'not src.namespace == "kube-system"', count: 57, jq: '.src.namespace != "kube-system"' },
  { filter: 'src.namespace != "kube-system"', count: 36, jq: '(.src.namespace | str) and .src.namespace != "kube-system"' },
  { filter: 'dst.namespace in ["shop", "analytics"]', count: 28, jq: '.dst.namespace | IN("shop", "analytics")' },
  { filter: 'src.name', count: 54, jq: '(.src.name // "") != ""' },
  { filter: '!src.name', count: 21, jq: '(.src.name // "") == ""' },
  { filter: 'dst.service', count: 54, jq: '(.dst.service // "") != ""' },
  { filter: 'src.namespace == null', count: 0, jq: '.src | has("namespace") and .namespace == null' },
  { filter: '(http or dns) and src.node == "worker-2"', count: 28, jq: '(.protocol == "http" or .protocol == "dns") and .src.node == "worker-2"' },
  { filter: 'dst.name == "cart" || dst.name == "web" && response.status == 404', count: 12, jq: '.dst.name == "cart" or (.dst.name == "web" and .response.status == 404)' },
  // DNS
  { filter: 'dns and request.questions[0].name.endsWith(".lab.test")', count: 14, jq: '.protocol == "dns" and ((.request.questions[0].name? // null) | str) and (.request.questions[0].name | endswith(".lab.test"))' },
  { filter: 'request.questions[0].type == "AAAA"', count: 6, jq: '.request.questions[0].type? == "AAAA"' },
  { filter: 'request.questions[0].name in ["www.lab.test", "lab.test"]', count: 16, jq: '.request.questions[0].name? | IN("www.lab.test", "lab.test")' },
  { filter: 'request.questions[1]', count: 0, jq: '(.request.questions[1]? // null) != null' },
  { filter: 'response.rcodeName == "NXDOMAIN"', count: 6, jq: '.response.rcodeName? == "NXDOMAIN"' },
  { filter: 'response.answers[1].data == "192.0.2.11"', count: 1, jq: '.response.answers[1].data? == "192.0.2.11"' },
  { filter: 'response.answers[0]', count: 30, jq: '(.response.answers[0]? // null) != null' },
  { filter: 'response.answers.contains("x")', count: 0, jq: 'false' },
  { filter: 'request.recursionDesired', count: 31, jq: '.request.recursionDesired? == true' },
  { filter: 'request.recursionDesired == false', count: 4, jq: '.request.recursionDesired? == false' },
  { filter: 'request.recursionDesired != true', count: 4, jq: '.request.recursionDesired? == false' },
  // Headers (keys lower-cased, values as sent), queries
  { filter: 'request.headers["user-agent"].contains("curl")', count: 17, jq: '(.request.headers["user-agent"]? | str) and (.request.headers["user-agent"] | contains("curl"))' },
  { filter: 'request.headers["User-Agent"].startsWith("curl/")', count: 17, jq: '(.request.headers["user-agent"]? | str) and (.request.headers["user-agent"] | startswith("curl/"))' },
  { filter: 'request.headers.Accept == "*/*"', count: 15, jq: '.request.headers.accept? == "*/*"' },
  { filter: 'response.headers["content-encoding"] == "gzip"', count: 2, jq: '.response.headers["content-encoding"]? == "gzip"' },
  { filter: 'request.headers["X-Request-ID"] == "Abc-123"', count: 1, jq: '.request.headers["x-request-id"]? == "Abc-123"' },
  { filter: 'request.headers["x-request-id"] == "abc-123"', count: 0, jq: 'false' },
  { filter: 'response.headers["retry-after"] == "5"', count: 1, jq: '.response.headers["retry-after"]? == "5"' },
  { filter: 'request.query.q == "1"', count: 2, jq: '.request.query.q? == "1"' },
  { filter: 'request.query["from"] == "node"', count: 2, jq: '.request.query.from? == "node"' },
  // Time
  { filter: 'timestamp > now() - minutes(5)', count: 21, jq: '.timestamp > $now - 300000' },
  { filter: 'timestamp > now() - minutes(15) and timestamp <= now() - minutes(5)', count: 21, jq: '.timestamp > $now - 900000 and .timestamp <= $now - 300000' },
  { filter: 'timestamp >= now() - days(365)', count: 61, jq: '.timestamp >= $now - 31536000000' },
  { filter: 'timestamp < now() - days(3650)', count: 4, jq: '.timestamp < $now - 315360000000' },
  { filter: 'timestamp < now() + hours(-1) - seconds(30)', count: 33, jq: '.timestamp < $now - 3630000' },
  // null, present, flags, booleans
  { filter: 'response == null', count: 4, jq: 'has("response") and .response == null' },
  { filter: 'request != null', count: 70, jq: 'has("request") and .request != null' },
  { filter: 'request.body != null', count: 6, jq: '(.request | type == "object") and (.request | has("body")) and .request.body != null' },
  { filter: 'request.body == null', count: 29, jq: '(.request | type == "object") and (.request | has("body")) and .request.body == null' },
  { filter: 'response.body.truncated == true', count: 2, jq: '.response.body.truncated? == true' },
  { filter: 'response.body.truncated == 1', count: 0, jq: 'false' },
  { filter: 'flags.contains("no-response")', count: 4, jq: '.flags | index("no-response") != null' },
  { filter: 'flags.contains("gap") or flags.contains("upgrade")', count: 2, jq: '.flags | (index("gap") != null or index("upgrade") != null)' },
  { filter: 'flags', count: 12, jq: '.flags | length > 0' },
  { filter: '!flags', count: 63, jq: '.flags | length == 0' },
  { filter: 'flags[0] == "no-request"', count: 4, jq: '.flags[0] == "no-request"' },
  { filter: 'response.informational', count: 0, jq: '(.response.informational? // []) | length > 0' },
  // Constants
  { filter: 'true', count: 75, jq: 'true' },
  { filter: 'false', count: 0, jq: 'false' },
  { filter: '1', count: 75, jq: 'true' },
  { filter: '""', count: 0, jq: 'false' },
  { filter: '"abc".contains("b") and !("abc" == r"b")', count: 75, jq: 'true' },
  { filter: 'now() - minutes(5) < now()', count: 75, jq: 'true' },
];

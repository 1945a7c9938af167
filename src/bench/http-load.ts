/**
 * The HTTP load both benchmarks drive: an nginx config serving a 3-byte body
 * over keep-alive, and a wrk Lua script that counts the requests wrk wrote and
 * the responses it completed, printed as one `PODTAP-BENCH sent= completed=`
 * line that parseWrk reads. record-http.ts (recorded capture) and
 * live-load.ts (live cluster) both use them, so their entry counts agree.
 */

export const NGINX_PORT = 80;

export const WRK_LUA = `-- podtap bench: counts requests written and responses completed.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) sent = 0; completed = 0 end
function request() sent = sent + 1; return wrk.request() end
function response(status, headers, body) completed = completed + 1 end
function done(summary, latency, requests)
  local s, c = 0, 0
  for _, t in ipairs(threads) do s = s + t:get("sent"); c = c + t:get("completed") end
  io.write(string.format("PODTAP-BENCH sent=%d completed=%d\\n", s, c))
end
`;

/** nginx.conf for one foreground worker with its pid and temp files under `dir`, listening on `listen`:NGINX_PORT. */
export function nginxConf(dir: string, listen: string): string {
  return `worker_processes 1;
daemon off;
user root;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen ${listen}:${NGINX_PORT};
    location / { default_type text/plain; return 200 "ok\\n"; }
  }
}
`;
}

export interface WrkCounts {
  /** Requests wrk wrote (Lua request() calls, minus wrk's one verification call per run). */
  sent: number;
  /** Responses wrk read completely (Lua response() calls). */
  completed: number;
  /** "N requests in …" as wrk printed it (its own completed count). */
  reported: number;
  non2xx: number;
  socketErrors: string;
}

/** Parses one wrk run's output (with the Lua summary line). */
export function parseWrk(out: string): WrkCounts {
  const lua = /PODTAP-BENCH sent=(\d+) completed=(\d+)/.exec(out);
  const reported = /(\d+) requests in /.exec(out);
  if (!lua || !reported) throw new Error(`unexpected wrk output:\n${out}`);
  return {
    // wrk calls request() once more than it sends: script_verify_request()
    // runs it on the first thread before any connection to check the request.
    sent: Number(lua[1]) - 1,
    completed: Number(lua[2]),
    reported: Number(reported[1]),
    non2xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0),
    socketErrors: /Socket errors: (.*)/.exec(out)?.[1]?.trim() ?? 'none',
  };
}

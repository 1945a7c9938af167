/**
 * Starts dnsmasq (Debian package `dnsmasq`) as an authoritative-only server
 * for the zone `lab.test` inside a lab node. It reads no config file, no
 * /etc/hosts and no resolv.conf, and forwards nothing: names under lab.test
 * it does not know get NXDOMAIN (`--local`), so no query ever leaves the lab.
 */
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Lab } from '../netns.js';
import { waitForOutput } from '../proc.js';

export const LAB_ZONE = 'lab.test';
/** TTL dnsmasq puts on its local records. */
export const LAB_DNS_TTL = 300;
export const DNSMASQ_START_TIMEOUT_MS = 10_000;

/**
 * Flags for dnsmasq in the foreground, logging to stderr, authoritative for
 * `zone` only: no config file, /etc/hosts or resolv.conf, nothing forwarded,
 * names it does not know get NXDOMAIN. `pidFile` '' writes none. Records are
 * added by the caller.
 */
export function authoritativeDnsmasqArgs(o: { listen: string; pidFile: string; zone: string; ttl: number }): string[] {
  return [
    '--keep-in-foreground',
    '--log-facility=-',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    `--pid-file=${o.pidFile}`,
    '--user=root',
    '--bind-interfaces',
    `--listen-address=${o.listen}`,
    '--port=53',
    `--local=/${o.zone}/`,
    `--local-ttl=${o.ttl}`,
  ];
}

/** The zone's records, as dnsmasq flags. The expectations come from the clients, not from here. */
export function dnsmasqArgs(listen: string, pidFile: string): string[] {
  return [
    ...authoritativeDnsmasqArgs({ listen, pidFile, zone: LAB_ZONE, ttl: LAB_DNS_TTL }),
    '--host-record=www.lab.test,10.231.9.9,fd00::99',
    '--address=/fixed.lab.test/10.231.7.7',
    '--mx-host=lab.test,mail.lab.test,10',
    // No quotes: on the command line dnsmasq would keep them as part of the text.
    '--txt-record=lab.test,v=spf1 -all',
  ];
}

/** Starts dnsmasq in `role` listening on `listen`:53 and waits until it is up. */
export async function startDnsmasq(lab: Lab, role: string, listen: string, workDir: string): Promise<ChildProcess> {
  const child = lab.spawn(role, 'dnsmasq', dnsmasqArgs(listen, join(workDir, 'dnsmasq.pid')));
  child.stdout?.resume();
  const ready = waitForOutput(child, /started, version/, DNSMASQ_START_TIMEOUT_MS);
  await ready;
  child.stderr?.resume();
  return child;
}

/**
 * Cluster DNS on the wire: a DNS server on a loopback address (or, in kernel mode, on sockets bound
 * inside a node's namespace and handed to it: one server per node, ./kernel-cluster-dns.ts), UDP
 * and TCP, that reads each query with the dns-packet library, asks `resolve(name, type)` (the
 * learner's answerDns over the informers' caches, one set shared by the servers of every node:
 * clusterDnsAnswers) and writes the answer back, as CoreDNS does around its kubernetes plugin:
 * authoritative (AA), the query's id, question and RD flag echoed, the zone's SOA in the authority
 * section of NXDOMAIN and NODATA answers.
 *
 * Invariants: a malformed packet never stops the server: one whose header can be read gets
 * FORMERR, shorter garbage is dropped; an answer that throws is SERVFAIL; only QUERY is served
 * (NOTIMP otherwise); UDP answers over 512 bytes without EDNS0 are truncated (TC, no records) so
 * the client retries over TCP; a TCP connection is closed after CLUSTER_DNS_TCP_IDLE_MS without a
 * complete query.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import type { KubeClient } from '../client/client.ts';
import type { Logger } from '../cluster/logger.ts';
import { SharedInformerFactory } from '../controllers/informers.ts';
import { loadComponent } from '../impl.ts';
import type { EndpointSlice, Service } from '../kube/types.ts';
import { CLUSTER_DNS_TCP_IDLE_MS, CLUSTER_DNS_TTL_SECONDS, CLUSTER_DNS_UDP_MAX_BYTES, CLUSTER_DOMAIN } from '../params.ts';
import type { DnsAnswer, DnsRecord, ServicesExercises } from './exercises.ts';

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

export interface DnsServerOptions {
  /** A loopback address. */
  host: string;
  /** 0 (the default) picks a free port, the same for UDP and TCP. */
  port?: number;
  zone?: string;
  resolve(name: string, type: string): DnsAnswer;
  log?: (line: string) => void;
  /** Sockets already bound (kernel mode: bound inside a node's namespace, ../cni/netns-listen.ts): served instead of binding host:port. */
  bound?: { tcp: net.Server; udp: dgram.Socket };
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** Queries answered so far. */
  queries(): number;
  close(): Promise<void>;
}

type Query = dnsPacket.DecodedPacket;

/** The answer packet (encoded) to one raw query, or undefined to drop it. */
export function answerPacket(raw: Buffer, options: Pick<DnsServerOptions, 'resolve' | 'zone' | 'log'>, transport: 'udp' | 'tcp'): Buffer | undefined {
  if (raw.length < 12) return undefined;
  const id = raw.readUInt16BE(0);
  const rd = raw.readUInt16BE(2) & dnsPacket.RECURSION_DESIRED;
  const opcode = (raw.readUInt16BE(2) >> 11) & 0xf;
  let query: Query;
  try {
    query = dnsPacket.decode(raw);
  } catch {
    return dnsPacket.encode({ type: 'response', id, flags: rd | RCODE.FORMERR, questions: [] });
  }
  if (query.type !== 'query') return undefined;
  const questions = query.questions ?? [];
  const base = { type: 'response' as const, id, questions: questions.slice(0, 1) };
  const question = questions[0];
  if (opcode !== 0) return dnsPacket.encode({ ...base, flags: rd | RCODE.NOTIMP });
  if (!question || questions.length !== 1) return dnsPacket.encode({ ...base, flags: rd | RCODE.FORMERR });
  let answer: DnsAnswer;
  try {
    answer = options.resolve(question.name, question.type);
  } catch (error) {
    options.log?.(`cluster DNS: answering ${question.type} ${question.name} failed: ${(error as Error).message}`);
    return dnsPacket.encode({ ...base, flags: rd | RCODE.SERVFAIL });
  }
  const zone = (options.zone ?? CLUSTER_DOMAIN).toLowerCase();
  const empty = answer.answers.length === 0 && answer.rcode !== 'REFUSED';
  const soa: dnsPacket.Answer = {
    name: zone,
    type: 'SOA',
    ttl: CLUSTER_DNS_TTL_SECONDS,
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: CLUSTER_DNS_TTL_SECONDS },
  };
  const flags = rd | (answer.rcode === 'REFUSED' ? 0 : dnsPacket.AUTHORITATIVE_ANSWER) | RCODE[answer.rcode];
  const edns = (query.additionals ?? []).some((a) => a.type === 'OPT');
  const full = dnsPacket.encode({ ...base, flags, answers: answer.answers.map(wire), authorities: empty ? [soa] : [], additionals: answer.additionals.map(wire) });
  if (transport === 'udp' && !edns && full.length > CLUSTER_DNS_UDP_MAX_BYTES) {
    return dnsPacket.encode({ ...base, flags: flags | dnsPacket.TRUNCATED_RESPONSE });
  }
  return full;
}

function wire(record: DnsRecord): dnsPacket.Answer {
  switch (record.type) {
    case 'A':
      return { name: record.name, type: 'A', ttl: record.ttl, data: record.data };
    case 'CNAME':
      return { name: record.name, type: 'CNAME', ttl: record.ttl, data: record.data };
    case 'SRV':
      return { name: record.name, type: 'SRV', ttl: record.ttl, data: record.data };
  }
}

export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  let count = 0;
  const answer = (raw: Buffer, transport: 'udp' | 'tcp') => {
    const out = answerPacket(raw, options, transport);
    if (out) count++;
    return out;
  };
  const sockets = new Set<net.Socket>();
  const tcp = options.bound?.tcp ?? net.createServer();
  tcp.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffered = Buffer.alloc(0);
    socket.setTimeout(CLUSTER_DNS_TCP_IDLE_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      socket.setTimeout(CLUSTER_DNS_TCP_IDLE_MS);
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0);
        if (buffered.length < 2 + length) break;
        const message = buffered.subarray(2, 2 + length);
        buffered = buffered.subarray(2 + length);
        const out = answer(Buffer.from(message), 'tcp');
        if (!out) continue;
        const framed = Buffer.alloc(2 + out.length);
        framed.writeUInt16BE(out.length, 0);
        out.copy(framed, 2);
        socket.write(framed);
      }
    });
  });
  if (!options.bound) {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: options.host, port: options.port ?? 0 }, () => resolve());
    });
  }
  const port = (tcp.address() as net.AddressInfo).port;
  const udp = options.bound?.udp ?? dgram.createSocket('udp4');
  udp.on('message', (raw, from) => {
    const out = answer(raw, 'udp');
    if (out) udp.send(out, from.port, from.address);
  });
  udp.on('error', (error) => options.log?.(`cluster DNS: UDP: ${error.message}`));
  if (!options.bound) {
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address: options.host, port, exclusive: true }, () => resolve());
      });
    } catch (error) {
      tcp.close();
      throw error;
    }
  }
  return {
    host: options.host,
    port,
    queries: () => count,
    async close() {
      udp.close();
      const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

/** The learner's answers over informers on Services and EndpointSlices: one set, shared by every server that uses it. */
export interface ClusterDnsAnswers {
  resolve(name: string, type: string): DnsAnswer;
  stop(): void;
}

export async function clusterDnsAnswers(client: KubeClient, services?: ServicesExercises): Promise<ClusterDnsAnswers> {
  const code = services ?? (await loadComponent('services'));
  const factory = new SharedInformerFactory(client);
  const serviceInformer = factory.forResource<Service>('services');
  const sliceInformer = factory.forResource<EndpointSlice>('endpointslices');
  await factory.start();
  return {
    resolve: (name, type) =>
      code.answerDns(name, type, {
        services: serviceInformer.lister.list(),
        endpointSlices: sliceInformer.lister.list(),
        zone: CLUSTER_DOMAIN,
        ttl: CLUSTER_DNS_TTL_SECONDS,
      }),
    stop: () => factory.stop(),
  };
}

/** Cluster DNS over a live cluster: informers on Services and EndpointSlices, the learner's answers. */
export async function runClusterDns(
  client: KubeClient,
  options: { host: string; port?: number; bound?: DnsServerOptions['bound']; services?: ServicesExercises; logger?: Logger },
): Promise<DnsServer & { stop(): Promise<void> }> {
  const answers = await clusterDnsAnswers(client, options.services);
  let server: DnsServer;
  try {
    server = await startDnsServer({
      host: options.host,
      port: options.port,
      ...(options.bound ? { bound: options.bound } : {}),
      log: (line) => options.logger?.warn(line),
      resolve: answers.resolve,
    });
  } catch (error) {
    answers.stop(); // the address is taken: no informer is left behind
    options.bound?.tcp.close();
    options.bound?.udp.close();
    throw error;
  }
  return {
    ...server,
    async stop() {
      answers.stop();
      await server.close();
    },
  };
}

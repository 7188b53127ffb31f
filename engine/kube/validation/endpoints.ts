/**
 * core/v1 Endpoints as upstream validates them (ValidateEndpointsCreate / ValidateEndpointsUpdate,
 * pkg/apis/core/validation/validation.go, v1.32): each subset has addresses or notReadyAddresses;
 * each address a valid IP (IsValidIP, then ValidateNonSpecialIP), a DNS label hostname, a
 * subdomain nodeName; each port a DNS label name (required when the subset has several ports),
 * a number in 1..65535, a protocol (TCP, UDP or SCTP; SetDefaults_EndpointPort fills TCP) and
 * a qualified-name appProtocol.
 *
 * One deliberate difference, shared with EndpointSlices (engine/kube/kinds/discovery): upstream's
 * ValidateNonSpecialIP refuses loopback addresses; the engine's loopback network mode gives pods
 * and the apiserver 127.0.0.0/8 addresses, so loopback is allowed (unspecified and link-local
 * addresses are refused as upstream does).
 *
 * Pure: returns causes, reads any JSON shape defensively.
 */
import { invalidValue, notSupported, required } from '../field-errors.ts';
import { parseIP } from '../kinds/validate.ts';
import type { StatusCause } from '../types.ts';
import { arr, obj, text } from './containers.ts';
import { dns1123LabelProblems, dns1123SubdomainProblems, INVALID_IP, portNumberProblems, qualifiedNameProblems } from './formats.ts';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

/** ValidateNonSpecialIP, without its loopback check (see the file header). */
export function nonSpecialIPCauses(address: string, field: string): StatusCause[] {
  const ip = parseIP(address);
  if (!ip) return [invalidValue(field, address, 'must be a valid IP address')];
  const causes: StatusCause[] = [];
  if (ip.bits === 0n) causes.push(invalidValue(field, address, `may not be unspecified (${address})`));
  const linkLocal = ip.v6 ? ip.bits >> 118n === 0x3fan : ip.bits >> 16n === 0xa9fen;
  if (linkLocal) causes.push(invalidValue(field, address, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  const linkLocalMulticast = ip.v6 ? ip.bits >> 112n === 0xff02n : ip.bits >> 8n === 0xe00000n;
  if (linkLocalMulticast) causes.push(invalidValue(field, address, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return causes;
}

function addressCauses(raw: unknown, at: string): StatusCause[] {
  const address = obj(raw);
  const ip = text(address.ip);
  const causes = parseIP(ip) ? [] : [invalidValue(`${at}.ip`, ip, INVALID_IP)];
  const hostname = text(address.hostname);
  if (hostname) causes.push(...dns1123LabelProblems(hostname).map((m) => invalidValue(`${at}.hostname`, hostname, m)));
  if (address.nodeName !== undefined && address.nodeName !== null) {
    const node = text(address.nodeName);
    causes.push(...dns1123SubdomainProblems(node).map((m) => invalidValue(`${at}.nodeName`, node, m)));
  }
  return [...causes, ...nonSpecialIPCauses(ip, `${at}.ip`)];
}

function portCauses(raw: unknown, requireName: boolean, at: string): StatusCause[] {
  const port = obj(raw);
  const causes: StatusCause[] = [];
  const name = text(port.name);
  if (requireName && !name) causes.push(required(`${at}.name`));
  else if (name) causes.push(...dns1123LabelProblems(name).map((m) => invalidValue(`${at}.name`, name, m)));
  const number = typeof port.port === 'number' ? port.port : 0;
  causes.push(...portNumberProblems(number).map((m) => invalidValue(`${at}.port`, number, m)));
  const protocol = text(port.protocol);
  if (!protocol) causes.push(required(`${at}.protocol`));
  else if (!PROTOCOLS.includes(protocol)) causes.push(notSupported(`${at}.protocol`, protocol, PROTOCOLS));
  if (port.appProtocol !== undefined && port.appProtocol !== null) {
    const app = text(port.appProtocol);
    causes.push(...qualifiedNameProblems(app).map((m) => invalidValue(`${at}.appProtocol`, app, m)));
  }
  return causes;
}

/** validateEndpointSubsets at `subsets`. */
export function endpointsCauses(endpoints: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  arr(obj(endpoints).subsets).forEach((raw, i) => {
    const subset = obj(raw);
    const at = `subsets[${i}]`;
    const addresses = arr(subset.addresses);
    const notReady = arr(subset.notReadyAddresses);
    if (addresses.length === 0 && notReady.length === 0) causes.push(required(at, 'must specify `addresses` or `notReadyAddresses`'));
    addresses.forEach((a, j) => causes.push(...addressCauses(a, `${at}.addresses[${j}]`)));
    notReady.forEach((a, j) => causes.push(...addressCauses(a, `${at}.notReadyAddresses[${j}]`)));
    const ports = arr(subset.ports);
    ports.forEach((p, j) => causes.push(...portCauses(p, ports.length > 1, `${at}.ports[${j}]`)));
  });
  return causes;
}

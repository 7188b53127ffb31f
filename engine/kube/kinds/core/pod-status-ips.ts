/**
 * The address checks of a pod status write (pkg/apis/core/validation/validation.go,
 * ValidatePodStatusUpdate → validatePodIPs and validateHostIPs), on the addresses as the v1 →
 * internal conversion leaves them (pkg/apis/core/v1/conversion.go, Convert_v1_PodStatus_To_core_PodStatus:
 * `podIP` wins over a `podIPs[0]` that differs, and alone stands for `podIPs: [{ip: podIP}]`):
 * every address a valid IP; more than one only as one IPv4 and one IPv6 (dual stack), never the
 * same twice; the same for `hostIPs`. So a kubelet (the learner's too) that reports
 * `podIP: "abc"` gets upstream's 422 instead of a pod no proxy can route to.
 */
import { duplicate, invalidShown } from '../../field-errors.ts';
import type { Pod, StatusCause } from '../../types.ts';
import { isIPv4, isIPv6 } from '../../validation/formats.ts';
import { validIP } from '../validate.ts';

/** `core.PodIP{IP:"10.0.0.1"}`, as Go's %#v prints the element (field.Error's fallback). */
const goElement = (type: string, ip: string) => `core.${type}{IP:${JSON.stringify(ip)}}`;

function listCauses(field: string, type: string, ips: string[]): StatusCause[] {
  const causes = ips.flatMap((ip, i) => validIP(ip, `${field}[${i}]`));
  if (ips.length > 1) {
    const dualStack = ips.length === 2 && ips.some(isIPv4) && ips.some(isIPv6);
    if (!dualStack) causes.push(invalidShown(field, `[]core.${type}{${ips.map((ip) => goElement(type, ip)).join(', ')}}`, 'may specify no more than one IP for each IP family'));
    const seen = new Set<string>(); // not indexOf per entry: a status may list many thousands
    ips.forEach((ip, i) => {
      if (seen.has(ip)) causes.push({ ...duplicate(`${field}[${i}]`, ''), message: `Duplicate value: ${goElement(type, ip)}` });
      seen.add(ip);
    });
  }
  return causes;
}

/** The field errors of the addresses in `pod.status`; none when they are well formed. */
export function podStatusIPCauses(pod: Pod): StatusCause[] {
  const status = pod.status ?? {};
  const causes: StatusCause[] = [];
  let podIPs = (status.podIPs ?? []).map((e) => String(e?.ip ?? ''));
  if (status.podIP && podIPs[0] !== status.podIP) podIPs = [status.podIP];
  causes.push(...listCauses('status.podIPs', 'PodIP', podIPs));
  const hostIPs = (status.hostIPs ?? []).map((e) => String(e?.ip ?? ''));
  causes.push(...listCauses('status.hostIPs', 'HostIP', hostIPs));
  return causes;
}

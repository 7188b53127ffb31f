/**
 * Field checks several kinds share, worded as upstream words them (the kinds added for the
 * networking, autoscaling, policy and quota lessons use them):
 * - int-or-percent fields (apps/validation ValidatePositiveIntOrPercent, IsNotMoreThan100Percent):
 *   PodDisruptionBudget minAvailable/maxUnavailable;
 * - non-negative numbers (core/validation ValidateNonnegativeField);
 * - label selectors, label keys and values (apimachinery meta/v1/validation ValidateLabelSelector,
 *   ValidateLabelName, ValidateLabels);
 * - metav1.Condition lists (ValidateConditions);
 * - how Go's field.Invalid prints a value that is not a plain string or number (`%#v`): an
 *   IntOrString is `intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}`;
 * - names, hosts, ports, IPs and CIDRs (apimachinery util/validation: IsDNS1123Subdomain,
 *   IsDNS1035Label, IsWildcardDNS1123Subdomain, IsValidPortNum, IsValidPortName, IsValidIP,
 *   IsValidCIDR, IsDomainPrefixedPath; api/validation/path IsValidPathSegmentName), with
 *   validation.RegexError's exact wording: its examples are joined as "'a',  or 'b', " (two spaces).
 *   engine/objects/names.ts words the same checks without that comma (a difference from upstream
 *   left to the validation lesson), so the kinds here use these.
 *
 * Pure: each returns the StatusCauses it finds (empty when valid), never throws.
 */
import { isIP } from 'node:net';
import { forbiddenField, invalidValue, notSupported, required, duplicate } from '../field-errors.ts';
import type { LabelSelector, StatusCause, StringMap } from '../types.ts';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A cause whose value is printed raw (a Go struct), not quoted. */
export function invalidGo(field: string, text: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', message: `Invalid value: ${text}: ${detail}`, field };
}

/** intstr.IntOrString as Go's %#v prints it: `intstr.IntOrString{Type:0, IntVal:5, StrVal:""}`. */
export function goIntOrString(value: unknown): string {
  if (typeof value === 'number') return `intstr.IntOrString{Type:0, IntVal:${value}, StrVal:""}`;
  return `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(String(value))}}`;
}

/** `must be greater than or equal to 0` (ValidateNonnegativeField) when `value` is a negative number. */
export function nonNegative(value: unknown, field: string): StatusCause[] {
  return typeof value === 'number' && value < 0 ? [invalidValue(field, value, 'must be greater than or equal to 0')] : [];
}

const PERCENT = /^[0-9]+%$/;
// validation.RegexError joins its examples with "', " and " or ": two spaces before each "or".
const PERCENT_MESSAGE = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** ValidatePositiveIntOrPercent then IsNotMoreThan100Percent, on an IntOrString at `field`. */
export function intOrPercent(value: unknown, field: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'number') return nonNegative(value, field);
  const text = String(value);
  if (!PERCENT.test(text)) return [invalidGo(field, goIntOrString(text), PERCENT_MESSAGE)];
  if (Number(text.slice(0, -1)) > 100) return [invalidGo(field, goIntOrString(text), 'must not be greater than 100%')];
  return [];
}

/** intstr.GetScaledValueFromIntOrPercent: a number as is; a percentage of `total`, rounded up or down. */
export function scaledValue(value: number | string, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return value;
  const percent = Number(String(value).replace(/%$/, ''));
  const exact = (percent * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

const QUALIFIED_NAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QUALIFIED_NAME_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function qualifiedName(value: string): string[] {
  const parts = value.split('/');
  const nameError = () => regexError(QUALIFIED_NAME_MESSAGE, QUALIFIED_NAME_FMT, 'MyName', 'my.name', '123-abc');
  if (parts.length > 2) return [`a qualified name ${nameError()} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const problems: string[] = [];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    if (parts[0] === '') problems.push('prefix part must be non-empty');
    else problems.push(...dns1123Subdomain(parts[0]!).map((p) => `prefix part ${p}`));
  }
  if (name === '') problems.push('name part must be non-empty');
  else if (name.length > 63) problems.push('name part must be no more than 63 characters');
  if (!whole(QUALIFIED_NAME_FMT).test(name)) problems.push(`name part ${nameError()}`);
  return problems;
}

/** IsValidLabelValue: empty, or a qualified name's name part. */
export function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!whole(`(${QUALIFIED_NAME_FMT})?`).test(value)) {
    problems.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        `(${QUALIFIED_NAME_FMT})?`,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return problems;
}

/** ValidateLabelName: a qualified name at `field`. */
export function labelName(key: string, field: string): StatusCause[] {
  return qualifiedName(key).map((p) => invalidValue(field, key, p));
}

/** ValidateLabels: every key and value of a label map, all reported at `field` (as upstream does). */
export function labelMap(labels: StringMap | undefined, field: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    causes.push(...labelName(k, field));
    causes.push(...labelValueProblems(String(v)).map((p) => invalidValue(field, v, p)));
  }
  return causes;
}

/** ValidateLabelSelector (invalid label values in matchExpressions refused). A missing selector is valid. */
export function labelSelector(selector: LabelSelector | undefined | null, field: string): StatusCause[] {
  if (!selector || typeof selector !== 'object') return [];
  const causes = labelMap(selector.matchLabels, `${field}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const at = `${field}.matchExpressions[${i}]`;
    const values = expr.values ?? [];
    if (expr.operator === 'In' || expr.operator === 'NotIn') {
      if (values.length === 0) causes.push(required(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (expr.operator === 'Exists' || expr.operator === 'DoesNotExist') {
      if (values.length > 0) causes.push(forbiddenField(`${at}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      causes.push(invalidValue(`${at}.operator`, expr.operator ?? '', 'not a valid selector operator'));
    }
    causes.push(...labelName(expr.key ?? '', `${at}.key`));
    values.forEach((v, j) => causes.push(...labelValueProblems(v).map((p) => invalidValue(`${at}.values[${j}]`, v, p))));
  });
  return causes;
}

/** True for a selector with neither matchLabels nor matchExpressions (it selects nothing in a PDB, everything in a NetworkPolicy). */
export function selectorIsEmpty(selector: LabelSelector | undefined | null): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

const CONDITION_REASON = /^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/;

/** ValidateConditions: metav1.Condition lists (PodDisruptionBudget status). */
export function conditions(list: unknown, field: string): StatusCause[] {
  if (!Array.isArray(list)) return [];
  const causes: StatusCause[] = [];
  const seen = new Set<string>();
  list.forEach((c: Any, i) => {
    const at = `${field}[${i}]`;
    const type = String(c?.type ?? '');
    if (seen.has(type)) causes.push(duplicate(`${at}.type`, type));
    seen.add(type);
    causes.push(...labelName(type, `${at}.type`));
    if (!['False', 'True', 'Unknown'].includes(c?.status)) causes.push(notSupported(`${at}.status`, c?.status ?? '', ['False', 'True', 'Unknown']));
    if (typeof c?.observedGeneration === 'number' && c.observedGeneration < 0) causes.push(invalidValue(`${at}.observedGeneration`, c.observedGeneration, 'must be greater than or equal to zero'));
    if (!c?.lastTransitionTime) causes.push(required(`${at}.lastTransitionTime`, 'must be set'));
    const reason = String(c?.reason ?? '');
    if (!reason) causes.push(required(`${at}.reason`, 'must be set'));
    else if (!CONDITION_REASON.test(reason)) {
      causes.push(
        invalidValue(
          `${at}.reason`,
          reason,
          `a condition reason must start with alphabetic character, optionally followed by a string of alphanumeric characters or '_,:', and must end with an alphanumeric character or '_' (e.g. 'my_name',  or 'MY_NAME',  or 'MyName',  or 'ReasonA,ReasonB',  or 'ReasonA:ReasonB', regex used for validation is '[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?')`,
        ),
      );
    }
  });
  return causes;
}

/** validation.RegexError: `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`. */
export function regexError(message: string, pattern: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${pattern}')`;
  return `${message} (e.g. ${examples.map((e, i) => `${i > 0 ? ' or ' : ''}'${e}', `).join('')}regex used for validation is '${pattern}')`;
}

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const WILDCARD_FMT = `\\*\\.${DNS1123_SUBDOMAIN_FMT}`;
const whole = (fmt: string) => new RegExp(`^${fmt}$`);

/** IsDNS1123Subdomain (and NameIsDNSSubdomain): at most 253 characters, lowercase labels joined by dots. */
export function dns1123Subdomain(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push('must be no more than 253 characters');
  if (!whole(DNS1123_SUBDOMAIN_FMT).test(value)) {
    problems.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN_FMT,
        'example.com',
      ),
    );
  }
  return problems;
}

/** IsDNS1123Label (ValidateNamespaceName): at most 63 characters, one lowercase label. */
export function dns1123Label(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!whole(DNS1123_LABEL_FMT).test(value)) {
    problems.push(
      whole(DNS1123_SUBDOMAIN_FMT).test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL_FMT,
            'my-name',
            '123-abc',
          ),
    );
  }
  return problems;
}

/** IsDNS1035Label (ValidateServiceName): at most 63 characters, starting with a letter. */
export function dns1035Label(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 63) problems.push('must be no more than 63 characters');
  if (!whole(DNS1035_LABEL_FMT).test(value)) {
    problems.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL_FMT,
        'my-name',
        'abc-123',
      ),
    );
  }
  return problems;
}

/** IsWildcardDNS1123Subdomain: `*.` and a subdomain. */
export function wildcardDns1123Subdomain(value: string): string[] {
  const problems: string[] = [];
  if (value.length > 253) problems.push('must be no more than 253 characters');
  if (!whole(WILDCARD_FMT).test(value)) {
    problems.push(
      regexError(
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character",
        WILDCARD_FMT,
        '*.example.com',
      ),
    );
  }
  return problems;
}

/** IsValidPortNum: 1 to 65535. */
export function portNumber(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** IsValidPortName: an IANA service name (at most 15 of [-a-z0-9], a letter, no `--`, no hyphen at either end). */
export function portName(port: string): string[] {
  const problems: string[] = [];
  if (port.length > 15) problems.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) problems.push('must contain at least one letter (a-z)');
  if (port.includes('--')) problems.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) problems.push('must not begin or end with a hyphen');
  return problems;
}

/** IsValidPathSegmentName: not `.` or `..`, no `/` or `%`. */
export function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** netutils.ParseIPSloppy: an IPv4 (leading zeros allowed) or IPv6 address, or undefined. */
export function parseIP(text: string): { bits: bigint; v6: boolean } | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { bits: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n), v6: false };
  }
  if (isIP(text) !== 6) return undefined;
  let [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const embedded = (s: string) => {
    // A trailing dotted quad is two groups.
    const m = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
    if (!m) return s;
    const ip = parseIP(m[1]!)!;
    return s.slice(0, m.index) + `${((ip.bits >> 16n) & 0xffffn).toString(16)}:${(ip.bits & 0xffffn).toString(16)}`;
  };
  head = embedded(head!);
  if (tail !== undefined) tail = embedded(tail);
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return { bits: groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n), v6: true };
}

/** netutils.ParseCIDRSloppy: the network address and prefix length, or undefined. */
export function parseCIDR(text: string): { network: bigint; prefix: number; v6: boolean } | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return undefined;
  const ip = parseIP(text.slice(0, slash));
  const prefixText = text.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const width = ip.v6 ? 128 : 32;
  if (prefix > width) return undefined;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(width - prefix);
  return { network: ip.bits & mask, prefix, v6: ip.v6 };
}

/** IsValidIP: `must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`. */
export function validIP(value: string, field: string): StatusCause[] {
  return parseIP(value) ? [] : [invalidValue(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

/** IsValidCIDR: `must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`. */
export function validCIDR(value: string, field: string): StatusCause[] {
  return parseCIDR(value) ? [] : [invalidValue(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/** field.TooLong: `Too long: may not be more than <n> bytes`. */
export function tooLong(field: string, max: number): StatusCause {
  return { reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field };
}

/** IsDomainPrefixedPath (an IngressClass's controller: `example.com/ingress-controller`). */
export function domainPrefixedPath(value: string, field: string): StatusCause[] {
  if (value.length === 0) return [required(field)];
  const at = value.indexOf('/');
  const host = at < 0 ? value : value.slice(0, at);
  const path = at < 0 ? '' : value.slice(at + 1);
  if (at < 0 || host.length === 0 || path.length === 0) return [invalidValue(field, value, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const causes = dns1123Subdomain(host).map((p) => invalidValue(field, host, p));
  const pathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
  if (!whole(pathFmt).test(path)) causes.push(invalidValue(field, path, regexError('Invalid path', pathFmt)));
  return causes;
}

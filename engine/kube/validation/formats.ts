/**
 * The string formats upstream's validation checks, each returning its list of problems in
 * apimachinery's words (k8s.io/apimachinery/pkg/util/validation/validation.go, v0.32; name rules
 * from pkg/api/validation/generic.go and pkg/api/validation/path/name.go). Empty means valid.
 * DNS labels and subdomains, label keys and values come from engine/objects/names.ts, which the
 * learner's exercises use too, so both sides word a problem the same way.
 *
 * Pure functions over strings; callers check that a value is a string first.
 */
import { dns1123LabelProblems, dns1123SubdomainProblems, labelKeyProblems, labelValueProblems, regexError } from '../../objects/names.ts';
import type { NameRule } from '../../apiserver/exercises.ts';

export { dns1123LabelProblems, dns1123SubdomainProblems, labelValueProblems };

/** IsQualifiedName: a label key's rules (an optional DNS subdomain prefix and '/', then a name). */
export const qualifiedNameProblems = labelKeyProblems;

const DNS1035_LABEL = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035Label = new RegExp(`^${DNS1035_LABEL}$`);

/** IsDNS1035Label: a Service's name. */
export function dns1035LabelProblems(value: string): string[] {
  const problems = value.length > 63 ? ['must be no more than 63 characters'] : [];
  if (!dns1035Label.test(value)) {
    problems.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        DNS1035_LABEL,
        'my-name',
        'abc-123',
      ),
    );
  }
  return problems;
}

/** path.IsValidPathSegmentName (prefix: IsValidPathSegmentPrefix, which allows '.' and '..'). */
function pathSegmentProblems(name: string, prefix: boolean): string[] {
  if (!prefix && (name === '.' || name === '..')) return [`may not be '${name}'`];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => `may not contain '${c}'`);
}

/** maskTrailingDash as upstream writes it: a prefix ending in '-' loses its last two characters and gains an 'a'. */
function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/**
 * A kind's name rule (ValidateNameFunc). With `prefix` the value is a generateName, which may end
 * in '-' (NameIsDNSSubdomain(name, true) and its siblings).
 */
export function nameProblems(rule: NameRule, name: string, prefix = false): string[] {
  if (rule === 'path-segment') return pathSegmentProblems(name, prefix);
  const value = prefix ? maskTrailingDash(name) : name;
  if (rule === 'dns1123-label') return dns1123LabelProblems(value);
  if (rule === 'dns1035-label') return dns1035LabelProblems(value);
  return dns1123SubdomainProblems(value);
}

/** IsValidPortName: an IANA service name (a container port's name, a named targetPort). */
export function portNameProblems(port: string): string[] {
  const problems: string[] = [];
  if (port.length > 15) problems.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(port)) problems.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) problems.push('must contain at least one letter (a-z)');
  if (port.includes('--')) problems.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) problems.push('must not begin or end with a hyphen');
  return problems;
}

/** IsValidPortNum: `must be between 1 and 65535, inclusive`. */
export function portNumberProblems(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRange(1, 65535)];
}

/** InclusiveRangeError. */
export function inclusiveRange(low: number, high: number): string {
  return `must be between ${low} and ${high}, inclusive`;
}

function chdirPrefixProblems(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

const ENV_VAR_NAME = '[-._a-zA-Z][-._a-zA-Z0-9]*';

/** IsEnvVarName (the rule without the RelaxedEnvironmentVariableValidation gate, off by default in 1.32). */
export function envVarNameProblems(value: string): string[] {
  const problems: string[] = [];
  if (!new RegExp(`^${ENV_VAR_NAME}$`).test(value)) {
    problems.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        ENV_VAR_NAME,
        'my.env-name',
        'MY_ENV.NAME',
        'MyEnvName1',
      ),
    );
  }
  return [...problems, ...chdirPrefixProblems(value)];
}

const CONFIG_KEY = '[-._a-zA-Z0-9]+';

/** IsConfigMapKey: a ConfigMap or Secret key, an env var's configMapKeyRef key. */
export function configKeyProblems(value: string): string[] {
  const problems = value.length > 253 ? ['must be no more than 253 characters'] : [];
  if (!new RegExp(`^${CONFIG_KEY}$`).test(value)) {
    problems.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_KEY, 'key.name', 'KEY_NAME', 'key-name'));
  }
  return [...problems, ...chdirPrefixProblems(value)];
}

/** IsValidPercent: `25%`. */
export function percentProblems(value: string): string[] {
  return /^[0-9]+%$/.test(value) ? [] : [regexError("a valid percent string must be a numeric string followed by an ending '%'", '[0-9]+%', '1%', '93%')];
}

/** IsHTTPHeaderName. */
export function httpHeaderNameProblems(value: string): string[] {
  return /^[-A-Za-z0-9]+$/.test(value) ? [] : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", '[-A-Za-z0-9]+', 'X-Header-Name')];
}

/** netutils.ParseIPSloppy accepts: dotted IPv4 (leading zeros allowed) or IPv6. */
export function isIP(value: string): boolean {
  return isIPv4(value) || isIPv6(value);
}

export function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

export function isIPv6(value: string): boolean {
  if (!value.includes(':') || !/^[0-9a-fA-F:.]+$/.test(value)) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groups = (text: string) => (text === '' ? [] : text.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const all = [...head, ...tail];
  let count = all.length;
  const last = all[all.length - 1];
  if (last !== undefined && last.includes('.')) {
    if (!isIPv4(last)) return false;
    count += 1;
    all.pop();
  }
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? count < 8 : count === 8;
}

/** IsValidIP's detail. */
export const INVALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

/** IsValidCIDR. */
export function isCIDR(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(bits)) return false;
  if (isIPv4(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && Number(bits) <= 128;
}

export const INVALID_CIDR = 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)';

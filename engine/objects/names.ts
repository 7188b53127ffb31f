/**
 * The naming rules Kubernetes enforces on object names, label keys and label values, with the
 * messages its validation prints (k8s.io/apimachinery/pkg/util/validation and
 * pkg/api/validate/content). Each function returns the list of problems: empty means valid.
 *
 * Given plumbing, not an exercise: the selector parser (02-set-selectors) and the apiserver's
 * validation call these, so both refuse exactly what a real cluster refuses.
 */

const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `${DNS1123_LABEL}(\\.${DNS1123_LABEL})*`;
const LABEL_NAME = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_VALUE = `(${LABEL_NAME})?`;

const dns1123Label = new RegExp(`^${DNS1123_LABEL}$`);
const dns1123Subdomain = new RegExp(`^${DNS1123_SUBDOMAIN}$`);
const labelName = new RegExp(`^${LABEL_NAME}$`);
const labelValue = new RegExp(`^${LABEL_VALUE}$`);

/** Longest DNS-1123 label (a namespace, a Service's name): 63. */
export const DNS1123_LABEL_MAX_LENGTH = 63;
/** Longest DNS-1123 subdomain (most object names, a label key's prefix): 253. */
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
/** Longest label value, and longest name part of a label key: 63. */
export const LABEL_VALUE_MAX_LENGTH = 63;

function maxLen(n: number): string {
  return `must be no more than ${n} characters`;
}

/**
 * apimachinery's RegexError, word for word: each example is followed by a comma and examples are
 * joined with " or ", so two examples read `(e.g. 'my-name',  or '123-abc', regex used ...)`.
 */
export function regexError(message: string, pattern: string, ...examples: string[]): string {
  if (examples.length === 0) return `${message} (regex used for validation is '${pattern}')`;
  return `${message} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${pattern}')`;
}

/** A DNS-1123 label: lowercase alphanumerics and '-', at most 63 (namespaces, Service names). */
export function dns1123LabelProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_LABEL_MAX_LENGTH) problems.push(maxLen(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123Label.test(value)) {
    problems.push(
      dns1123Subdomain.test(value)
        ? 'must not contain dots'
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            DNS1123_LABEL,
            'my-name',
            '123-abc',
          ),
    );
  }
  return problems;
}

/** A DNS-1123 subdomain: DNS-1123 labels joined by '.', at most 253 (most object names). */
export function dns1123SubdomainProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) problems.push(maxLen(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123Subdomain.test(value)) {
    problems.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        DNS1123_SUBDOMAIN,
        'example.com',
      ),
    );
  }
  return problems;
}

const LABEL_KEY_MESSAGE = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/**
 * A label (or annotation) key: an optional DNS-1123 subdomain prefix and '/', then a name of at most
 * 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric (`app.kubernetes.io/name`).
 */
export function labelKeyProblems(key: string): string[] {
  const parts = key.split('/');
  if (parts.length > 2) {
    return [`a qualified name ${regexError(LABEL_KEY_MESSAGE, LABEL_NAME, 'MyName', 'my.name', '123-abc')}` + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  const problems: string[] = [];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix === '') problems.push('prefix part must be non-empty');
    else problems.push(...dns1123SubdomainProblems(prefix).map((p) => `prefix part ${p}`));
  }
  if (name === '') problems.push('name part must be non-empty');
  else if (name.length > LABEL_VALUE_MAX_LENGTH) problems.push(`name part ${maxLen(LABEL_VALUE_MAX_LENGTH)}`);
  if (!labelName.test(name)) problems.push(`name part ${regexError(LABEL_KEY_MESSAGE, LABEL_NAME, 'MyName', 'my.name', '123-abc')}`);
  return problems;
}

/** A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
export function labelValueProblems(value: string): string[] {
  const problems: string[] = [];
  if (value.length > LABEL_VALUE_MAX_LENGTH) problems.push(maxLen(LABEL_VALUE_MAX_LENGTH));
  if (!labelValue.test(value)) {
    problems.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        LABEL_VALUE,
        'MyValue',
        'my_value',
        '12345',
      ),
    );
  }
  return problems;
}

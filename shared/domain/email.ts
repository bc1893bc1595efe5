/** AWS Organizations' rules for an account email (aws-facts.md); returns a problem or undefined. */
const FORBIDDEN_LOCAL = /[\s"'()<>[\]:;,\\|%&]/;
const DOMAIN = /^[A-Za-z0-9.-]+$/;

export function emailProblem(email: string): string | undefined {
  if (email.length < 6 || email.length > 64) return 'must be 6 to 64 characters';
  if (!/^[\x20-\x7E]+$/.test(email)) return 'must be printable ASCII';
  const at = email.split('@');
  if (at.length !== 2) return 'must contain exactly one @';
  const [local, domain] = at as [string, string];
  if (local.length === 0) return 'needs a part before the @';
  if (local.startsWith('.')) return 'the part before the @ may not start with a dot';
  if (FORBIDDEN_LOCAL.test(local)) return `the part before the @ may not contain whitespace or any of " ' ( ) < > [ ] : ; , \\ | % &`;
  if (!DOMAIN.test(domain)) return 'the domain may contain only letters, digits, dots and hyphens';
  if (!domain.includes('.')) return 'the domain needs at least one dot';
  if (/^[.-]|[.-]$/.test(domain)) return 'the domain may not start or end with a dot or hyphen';
  if (domain.includes('..')) return 'the domain may not contain empty labels';
  return undefined;
}

/** Shows enough of an address to recognise it in logs without disclosing it: `ad***@ex***.com`. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 2)}***@${host.slice(0, 2)}***${tld}`;
}

/**
 * Fills the configured plus-address template (`admin+{slug}@example.com`) with the environment slug.
 * The template itself is validated at config load, so only the slug can make the result invalid.
 */
export function emailFromTemplate(template: string, slug: string): string {
  return template.replaceAll('{slug}', slug).replaceAll('{name}', slug);
}

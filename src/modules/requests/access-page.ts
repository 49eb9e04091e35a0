import type { AccessPackage } from './access-package.js';

/**
 * The access package as one self-contained HTML page a person can read in any browser: no scripts, no
 * external resources, every value escaped.
 */
const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replaceAll(/[&<>"']/g, (char) => escapes[char] ?? char);
}

function display(value: unknown): string {
  if (value === null || value === undefined) return '';
  return escapeHtml(typeof value === 'string' ? value : JSON.stringify(value));
}

function table(headers: string[], rows: unknown[][]): string {
  const head = headers.map((header) => `<th>${escapeHtml(header)}</th>`).join('');
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${display(cell)}</td>`).join('')}</tr>`);
  return `<table><thead><tr>${head}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

function dataSection(pkg: AccessPackage): string {
  if (pkg.personalData.length === 0) return '<p>We hold no personal data about you in this system.</p>';
  return pkg.personalData
    .map((collection) => {
      const fields = collection.fields.filter((field) =>
        collection.records.some((record) => field.name in record.values),
      );
      const rows = collection.records.map((record) => [
        ...fields.map((field) => record.values[field.name]),
        record.createdAt,
        record.updatedAt,
      ]);
      const headers = [
        ...fields.map((field) => `${field.name} (${field.categoryName})`),
        'stored',
        'changed',
      ];
      const description = collection.description ? `<p>${escapeHtml(collection.description)}</p>` : '';
      return `<h3>${escapeHtml(collection.collection)}</h3>${description}${table(headers, rows)}`;
    })
    .join('\n');
}

function processingSection(pkg: AccessPackage): string {
  if (!pkg.purposes) return '<p>Purposes of processing are not recorded in this system.</p>';
  const purposes = table(
    ['purpose', 'legal basis', 'description', 'data categories'],
    pkg.purposes.map((purpose) => [
      purpose.name,
      purpose.legalBasis,
      purpose.description,
      purpose.dataCategories.join(', '),
    ]),
  );
  const history = (pkg.consentHistory ?? []) as Record<string, unknown>[];
  const consents =
    history.length === 0
      ? '<p>You have given or refused no consent recorded here.</p>'
      : table(
          ['when', 'purpose', 'version', 'action', 'how'],
          history.map((event) => [event.givenAt, event.purpose, event.version, event.action, event.method]),
        );
  return `${purposes}<h3>Your consent choices</h3>${consents}`;
}

function automatedDecisionsSection(pkg: AccessPackage): string {
  const { decisions, note } = pkg.automatedDecisions;
  const list = decisions
    .map(
      (decision) =>
        `<h3>${escapeHtml(decision.purposeName)}</h3><dl><dt>The logic involved</dt><dd>${escapeHtml(decision.logic)}</dd><dt>Its significance for you</dt><dd>${escapeHtml(decision.significance)}</dd><dt>The consequences we expect for you</dt><dd>${escapeHtml(decision.consequences)}</dd></dl>`,
    )
    .join('\n');
  return `<p>${escapeHtml(note)}</p>${list}`;
}

function recipientsSection(pkg: AccessPackage): string {
  const { systems, note } = pkg.recipients;
  const list = systems.length
    ? table(
        ['system', 'who answers for it', 'kinds of data'],
        systems.map((system) => [system.name, system.owner, system.dataCategories.join(', ')]),
      )
    : '';
  return `${list}<p>${escapeHtml(note)}</p>`;
}

function retentionSection(pkg: AccessPackage): string {
  const { periods, note } = pkg.retention;
  const list = periods.length
    ? table(
        ['policy', 'covers', 'why', 'how long (ISO 8601)'],
        periods.map((period) => [
          period.description ? `${period.name}: ${period.description}` : period.name,
          period.covers,
          period.legalBasis,
          period.duration,
        ]),
      )
    : '';
  return `<p>${escapeHtml(note)}</p>${list}`;
}

export function renderAccessPage(pkg: AccessPackage): string {
  const categories = pkg.categories
    .map(
      (category) =>
        `<li><strong>${escapeHtml(category.name)}</strong>: ${escapeHtml(category.description)}</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Your personal data</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1.5rem; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.35rem 0.5rem; text-align: left; vertical-align: top; word-break: break-word; }
th { background: #f3f3f3; }
dt { font-weight: 600; margin-top: 0.5rem; }
dd { margin: 0.15rem 0 0 1rem; }
</style>
</head>
<body>
<h1>Your personal data</h1>
<p>This is the answer to your request for ${escapeHtml(pkg.request.right)}, received ${escapeHtml(pkg.request.receivedAt.slice(0, 10))}
(reference ${escapeHtml(pkg.request.id)}), made on ${escapeHtml(pkg.generatedAt.slice(0, 10))}. The same content is in
the JSON file that came with this page.</p>
<h2>The data we hold</h2>
${dataSection(pkg)}
<h2>Kinds of data</h2>
${categories ? `<ul>${categories}</ul>` : '<p>None.</p>'}
<h2>Why we process it</h2>
${processingSection(pkg)}
<h2>Who receives it</h2>
${recipientsSection(pkg)}
<h2>How long we keep it</h2>
${retentionSection(pkg)}
<h2>Where it comes from</h2>
<p>${escapeHtml(pkg.source)}</p>
<h2>Automated decisions</h2>
${automatedDecisionsSection(pkg)}
<h2>Your rights</h2>
<p>You may ask us to correct or erase your data, to restrict or object to its processing, and to receive the
data you provided in a machine-readable format. You may also lodge a complaint with a supervisory authority.</p>
</body>
</html>
`;
}

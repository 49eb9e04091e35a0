/**
 * Where GDPR Chapter V begins: a country is a third country for the organization when it is neither the
 * organization's own country nor in the European Economic Area (transfers inside the EEA need no
 * safeguard). Adequacy decisions are not consulted here: the transfers module will weigh them; until then
 * every country outside is flagged and the team records the safeguard it relies on (adequacy included).
 */

/** The EU's 27 member states and Iceland, Liechtenstein and Norway (ISO 3166-1 alpha-2). */
export const eeaCountries: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
  'IS',
  'LI',
  'NO',
]);

/** A test telling whether a country lies outside the organization's country and the EEA. */
export function thirdCountryTest(homeCountry: string | null): (country: string) => boolean {
  const home = homeCountry?.toUpperCase() ?? null;
  return (country) => {
    const code = country.toUpperCase();
    return code !== home && !eeaCountries.has(code);
  };
}

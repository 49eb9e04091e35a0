/**
 * ISO 3166-1 country codes and the regions Custos names. Custos records countries by their alpha-2 code;
 * fideslang's `third_country_transfers` uses the alpha-3 code, so one table translates both ways and tells
 * a real code from a made-up one. Codes are upper case, as the standard writes them.
 */

// Each entry is an alpha-2 code followed by its alpha-3 code (ISO 3166-1, all 249 assigned codes).
const pairs =
  'ADAND AEARE AFAFG AGATG AIAIA ALALB AMARM AOAGO AQATA ARARG ASASM ATAUT AUAUS AWABW AXALA AZAZE ' +
  'BABIH BBBRB BDBGD BEBEL BFBFA BGBGR BHBHR BIBDI BJBEN BLBLM BMBMU BNBRN BOBOL BQBES BRBRA BSBHS ' +
  'BTBTN BVBVT BWBWA BYBLR BZBLZ CACAN CCCCK CDCOD CFCAF CGCOG CHCHE CICIV CKCOK CLCHL CMCMR CNCHN ' +
  'COCOL CRCRI CUCUB CVCPV CWCUW CXCXR CYCYP CZCZE DEDEU DJDJI DKDNK DMDMA DODOM DZDZA ECECU EEEST ' +
  'EGEGY EHESH ERERI ESESP ETETH FIFIN FJFJI FKFLK FMFSM FOFRO FRFRA GAGAB GBGBR GDGRD GEGEO GFGUF ' +
  'GGGGY GHGHA GIGIB GLGRL GMGMB GNGIN GPGLP GQGNQ GRGRC GSSGS GTGTM GUGUM GWGNB GYGUY HKHKG HMHMD ' +
  'HNHND HRHRV HTHTI HUHUN IDIDN IEIRL ILISR IMIMN ININD IOIOT IQIRQ IRIRN ISISL ITITA JEJEY JMJAM ' +
  'JOJOR JPJPN KEKEN KGKGZ KHKHM KIKIR KMCOM KNKNA KPPRK KRKOR KWKWT KYCYM KZKAZ LALAO LBLBN LCLCA ' +
  'LILIE LKLKA LRLBR LSLSO LTLTU LULUX LVLVA LYLBY MAMAR MCMCO MDMDA MEMNE MFMAF MGMDG MHMHL MKMKD ' +
  'MLMLI MMMMR MNMNG MOMAC MPMNP MQMTQ MRMRT MSMSR MTMLT MUMUS MVMDV MWMWI MXMEX MYMYS MZMOZ NANAM ' +
  'NCNCL NENER NFNFK NGNGA NINIC NLNLD NONOR NPNPL NRNRU NUNIU NZNZL OMOMN PAPAN PEPER PFPYF PGPNG ' +
  'PHPHL PKPAK PLPOL PMSPM PNPCN PRPRI PSPSE PTPRT PWPLW PYPRY QAQAT REREU ROROU RSSRB RURUS RWRWA ' +
  'SASAU SBSLB SCSYC SDSDN SESWE SGSGP SHSHN SISVN SJSJM SKSVK SLSLE SMSMR SNSEN SOSOM SRSUR SSSSD ' +
  'STSTP SVSLV SXSXM SYSYR SZSWZ TCTCA TDTCD TFATF TGTGO THTHA TJTJK TKTKL TLTLS TMTKM TNTUN TOTON ' +
  'TRTUR TTTTO TVTUV TWTWN TZTZA UAUKR UGUGA UMUMI USUSA UYURY UZUZB VAVAT VCVCT VEVEN VGVGB VIVIR ' +
  'VNVNM VUVUT WFWLF WSWSM YEYEM YTMYT ZAZAF ZMZMB ZWZWE';
const alpha3ByAlpha2: ReadonlyMap<string, string> = new Map(
  pairs.split(' ').map((pair) => [pair.slice(0, 2), pair.slice(2)]),
);
const alpha2ByAlpha3: ReadonlyMap<string, string> = new Map(
  [...alpha3ByAlpha2].map(([alpha2, alpha3]) => [alpha3, alpha2]),
);

/** Every assigned alpha-2 code. */
export const countryCodes: readonly string[] = [...alpha3ByAlpha2.keys()];

export function isCountryCode(code: string): boolean {
  return alpha3ByAlpha2.has(code);
}

export function isAlpha3(code: string): boolean {
  return alpha2ByAlpha3.has(code);
}

/** The alpha-3 code of a known alpha-2 code. */
export function alpha3Of(alpha2: string): string | undefined {
  return alpha3ByAlpha2.get(alpha2);
}

/** The alpha-2 code of a known alpha-3 code. */
export function alpha2Of(alpha3: string): string | undefined {
  return alpha2ByAlpha3.get(alpha3);
}

/** The European Union's 27 member states. */
export const EU: readonly string[] =
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' ');

/** The European Economic Area: the EU with Iceland, Liechtenstein and Norway. */
export const EEA: readonly string[] = [...EU, 'IS', 'LI', 'NO'];

/** Region codes accepted beside country codes where a place may be a region. */
export const regions: Readonly<Record<string, readonly string[]>> = { EEA, EU };

export const regionCodes = Object.keys(regions);

export function isRegionCode(code: string): boolean {
  return Object.hasOwn(regions, code);
}

const eea: ReadonlySet<string> = new Set(EEA);

/**
 * Where GDPR Chapter V begins: a country is a third country for the organization when it is neither the
 * organization's own country nor in the European Economic Area (transfers inside the EEA need no
 * safeguard). Adequacy decisions are not weighed here; a transfer's recorded safeguard says what it rests on.
 */
export function thirdCountryTest(homeCountry: string | null): (country: string) => boolean {
  const home = homeCountry?.toUpperCase() ?? null;
  return (country) => {
    const code = country.toUpperCase();
    return code !== home && !eea.has(code);
  };
}

/** Whether sending personal data to a country is a transfer out of the EEA (GDPR Ch. V). */
export function isThirdCountry(alpha2: string): boolean {
  return !eea.has(alpha2);
}

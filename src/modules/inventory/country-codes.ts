/**
 * ISO 3166-1 country codes: Custos records countries by their alpha-2 code, fideslang's
 * `third_country_transfers` by their alpha-3 code. One table translates both ways and tells a real code
 * from a made-up one.
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
const alpha3ByAlpha2 = new Map(pairs.split(' ').map((pair) => [pair.slice(0, 2), pair.slice(2)]));
const alpha2ByAlpha3 = new Map([...alpha3ByAlpha2].map(([alpha2, alpha3]) => [alpha3, alpha2]));

/** The European Economic Area: the EU's 27 members, Iceland, Liechtenstein and Norway. */
const eea = new Set(
  'AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK'.split(' '),
);

/** Region codes accepted where a list of countries may also name a region. */
export const regionCodes = ['EEA', 'EU'] as const;

export function isAlpha2(code: string): boolean {
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

/** Whether a country is outside the EEA, so that sending personal data there is a transfer (GDPR Ch. V). */
export function isThirdCountry(alpha2: string): boolean {
  return !eea.has(alpha2);
}

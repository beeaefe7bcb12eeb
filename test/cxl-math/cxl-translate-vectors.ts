// Address-translation vectors from pmem/ndctl test/cxl-translate.sh (GPL-2.0, Copyright (C) 2024
// Intel Corporation), as fed to Linux tools/testing/cxl/test/cxl_translate.c. Facts only: the
// numbers below are copied from that script (commit 0b5ae6882d882145f671c6d6bd9a4fc1edb4b99d).
// The XOR tables come from Intel's "CXL Memory Device Software Guide" (sections 2.13.24.1, 25.1).
//
// Fields as in the script: dpa pos r_eiw r_eig hb_eiw and the expected HPA offset. Sample-set rows
// carry both the modulo and the XOR expectation for one position (the script runs both); XOR-table
// rows carry only the XOR expectation. The XOR maps are Linux cxl_translate.c's `xormaps`.
// 36 sample positions + 19 + 22 + 25 XOR-table rows = 102 vectors (138 expected HPAs).

export interface TranslateVector {
  /** Which array of cxl-translate.sh the row comes from. */
  readonly set: string;
  readonly dpa: number;
  readonly pos: number;
  /** Region encoded interleave ways. */
  readonly rEiw: number;
  /** Region encoded interleave granularity. */
  readonly rEig: number;
  /** Host-bridge (root) encoded interleave ways: HBIW = eiwToWays(hbEiw). */
  readonly hbEiw: number;
  /** Expected HPA offset with modulo math (sample sets only). */
  readonly modulo: number | undefined;
  /** Expected HPA offset with XOR math. */
  readonly xor: number;
}

/** Linux cxl_translate.c xormaps[] (CXIMS maps used by every vector, HBIG 0). */
export const TRANSLATE_XOR_MAPS: readonly number[] = [0x2020900, 0x4041200, 0x1010400, 0x800];

const v = (
  set: string,
  dpa: number,
  pos: number,
  rEiw: number,
  rEig: number,
  hbEiw: number,
  modulo: number | undefined,
  xor: number,
): TranslateVector => ({ set, dpa, pos, rEiw, rEig, hbEiw, modulo, xor });

export const TRANSLATE_VECTORS: readonly TranslateVector[] = [
  v('Sample_4R_4H', 0, 0, 2, 0, 2, 0, 0),
  v('Sample_4R_4H', 0, 1, 2, 0, 2, 256, 256),
  v('Sample_4R_4H', 0, 2, 2, 0, 2, 512, 512),
  v('Sample_4R_4H', 0, 3, 2, 0, 2, 768, 768),
  v('Sample_4R_4H', 256, 0, 2, 0, 2, 1024, 1024),
  v('Sample_4R_4H', 256, 1, 2, 0, 2, 1280, 1280),
  v('Sample_4R_4H', 256, 2, 2, 0, 2, 1536, 1536),
  v('Sample_4R_4H', 256, 3, 2, 0, 2, 1792, 1792),
  v('Sample_4R_4H', 2048, 0, 2, 0, 2, 8192, 8192),
  v('Sample_4R_4H', 2048, 1, 2, 0, 2, 8448, 8448),
  v('Sample_4R_4H', 2048, 2, 2, 0, 2, 8704, 8704),
  v('Sample_4R_4H', 2048, 3, 2, 0, 2, 8960, 8960),
  v('Sample_12R_12H', 0, 0, 10, 0, 10, 0, 0),
  v('Sample_12R_12H', 0, 1, 10, 0, 10, 256, 256),
  v('Sample_12R_12H', 0, 2, 10, 0, 10, 512, 512),
  v('Sample_12R_12H', 0, 3, 10, 0, 10, 768, 768),
  v('Sample_12R_12H', 0, 4, 10, 0, 10, 1024, 1024),
  v('Sample_12R_12H', 0, 5, 10, 0, 10, 1280, 1280),
  v('Sample_12R_12H', 0, 6, 10, 0, 10, 1536, 1536),
  v('Sample_12R_12H', 0, 7, 10, 0, 10, 1792, 1792),
  v('Sample_12R_12H', 0, 8, 10, 0, 10, 2048, 2304),
  v('Sample_12R_12H', 0, 9, 10, 0, 10, 2304, 2048),
  v('Sample_12R_12H', 0, 10, 10, 0, 10, 2560, 2816),
  v('Sample_12R_12H', 0, 11, 10, 0, 10, 2816, 2560),
  v('Sample_12R_12H', 512, 0, 10, 0, 10, 6144, 6912),
  v('Sample_12R_12H', 512, 1, 10, 0, 10, 6400, 6656),
  v('Sample_12R_12H', 512, 2, 10, 0, 10, 6656, 6400),
  v('Sample_12R_12H', 512, 3, 10, 0, 10, 6912, 6144),
  v('Sample_12R_12H', 512, 4, 10, 0, 10, 7168, 7936),
  v('Sample_12R_12H', 512, 5, 10, 0, 10, 7424, 7680),
  v('Sample_12R_12H', 512, 6, 10, 0, 10, 7680, 7424),
  v('Sample_12R_12H', 512, 7, 10, 0, 10, 7936, 7168),
  v('Sample_12R_12H', 512, 8, 10, 0, 10, 8192, 8192),
  v('Sample_12R_12H', 512, 9, 10, 0, 10, 8448, 8448),
  v('Sample_12R_12H', 512, 10, 10, 0, 10, 8704, 8704),
  v('Sample_12R_12H', 512, 11, 10, 0, 10, 8960, 8960),
  v('XOR_Table_4R_4H', 248, 0, 2, 0, 2, undefined, 248),
  v('XOR_Table_4R_4H', 16, 1, 2, 0, 2, undefined, 272),
  v('XOR_Table_4R_4H', 16, 2, 2, 0, 2, undefined, 528),
  v('XOR_Table_4R_4H', 32, 3, 2, 0, 2, undefined, 800),
  v('XOR_Table_4R_4H', 288, 0, 2, 0, 2, undefined, 1056),
  v('XOR_Table_4R_4H', 288, 1, 2, 0, 2, undefined, 1312),
  v('XOR_Table_4R_4H', 288, 2, 2, 0, 2, undefined, 1568),
  v('XOR_Table_4R_4H', 288, 3, 2, 0, 2, undefined, 1824),
  v('XOR_Table_4R_4H', 544, 1, 2, 0, 2, undefined, 2080),
  v('XOR_Table_4R_4H', 544, 0, 2, 0, 2, undefined, 2336),
  v('XOR_Table_4R_4H', 544, 3, 2, 0, 2, undefined, 2592),
  v('XOR_Table_4R_4H', 1040, 2, 2, 0, 2, undefined, 4112),
  v('XOR_Table_4R_4H', 1568, 3, 2, 0, 2, undefined, 6176),
  v('XOR_Table_4R_4H', 32784, 1, 2, 0, 2, undefined, 131088),
  v('XOR_Table_4R_4H', 65552, 2, 2, 0, 2, undefined, 262160),
  v('XOR_Table_4R_4H', 98336, 3, 2, 0, 2, undefined, 393248),
  v('XOR_Table_4R_4H', 98328, 2, 2, 0, 2, undefined, 393496),
  v('XOR_Table_4R_4H', 98352, 2, 2, 0, 2, undefined, 393520),
  v('XOR_Table_4R_4H', 443953523, 0, 2, 0, 2, undefined, 1775813747),
  v('XOR_Table_8R_4H', 248, 0, 3, 0, 2, undefined, 248),
  v('XOR_Table_8R_4H', 16, 1, 3, 0, 2, undefined, 272),
  v('XOR_Table_8R_4H', 16, 2, 3, 0, 2, undefined, 528),
  v('XOR_Table_8R_4H', 32, 3, 3, 0, 2, undefined, 800),
  v('XOR_Table_8R_4H', 272, 1, 3, 0, 2, undefined, 2064),
  v('XOR_Table_8R_4H', 528, 2, 3, 0, 2, undefined, 4112),
  v('XOR_Table_8R_4H', 800, 3, 3, 0, 2, undefined, 6176),
  v('XOR_Table_8R_4H', 16400, 1, 3, 0, 2, undefined, 131088),
  v('XOR_Table_8R_4H', 32784, 2, 3, 0, 2, undefined, 262160),
  v('XOR_Table_8R_4H', 49184, 3, 3, 0, 2, undefined, 393248),
  v('XOR_Table_8R_4H', 49176, 2, 3, 0, 2, undefined, 393496),
  v('XOR_Table_8R_4H', 49200, 2, 3, 0, 2, undefined, 393520),
  v('XOR_Table_8R_4H', 116520373, 3, 3, 0, 2, undefined, 932162229),
  v('XOR_Table_8R_4H', 244690459, 5, 3, 0, 2, undefined, 1957525275),
  v('XOR_Table_8R_4H', 292862215, 5, 3, 0, 2, undefined, 2342899463),
  v('XOR_Table_8R_4H', 30721158, 4, 3, 0, 2, undefined, 245769350),
  v('XOR_Table_8R_4H', 246386959, 4, 3, 0, 2, undefined, 1971096847),
  v('XOR_Table_8R_4H', 72701249, 5, 3, 0, 2, undefined, 581610561),
  v('XOR_Table_8R_4H', 529382429, 5, 3, 0, 2, undefined, 4235060509),
  v('XOR_Table_8R_4H', 191132300, 2, 3, 0, 2, undefined, 1529057420),
  v('XOR_Table_8R_4H', 18589081, 1, 3, 0, 2, undefined, 148712089),
  v('XOR_Table_8R_4H', 344295715, 7, 3, 0, 2, undefined, 2754367011),
  v('XOR_Table_12R_12H', 224, 0, 10, 0, 10, undefined, 224),
  v('XOR_Table_12R_12H', 16, 1, 10, 0, 10, undefined, 272),
  v('XOR_Table_12R_12H', 16, 2, 10, 0, 10, undefined, 528),
  v('XOR_Table_12R_12H', 32, 3, 10, 0, 10, undefined, 800),
  v('XOR_Table_12R_12H', 32, 4, 10, 0, 10, undefined, 1056),
  v('XOR_Table_12R_12H', 32, 5, 10, 0, 10, undefined, 1312),
  v('XOR_Table_12R_12H', 32, 6, 10, 0, 10, undefined, 1568),
  v('XOR_Table_12R_12H', 32, 7, 10, 0, 10, undefined, 1824),
  v('XOR_Table_12R_12H', 32, 9, 10, 0, 10, undefined, 2080),
  v('XOR_Table_12R_12H', 32, 8, 10, 0, 10, undefined, 2336),
  v('XOR_Table_12R_12H', 32, 11, 10, 0, 10, undefined, 2592),
  v('XOR_Table_12R_12H', 32, 10, 10, 0, 10, undefined, 2848),
  v('XOR_Table_12R_12H', 288, 0, 10, 0, 10, undefined, 3360),
  v('XOR_Table_12R_12H', 299017087, 7, 10, 0, 10, undefined, 3588205439),
  v('XOR_Table_12R_12H', 329210435, 0, 10, 0, 10, undefined, 3950524995),
  v('XOR_Table_12R_12H', 151050637, 11, 10, 0, 10, undefined, 1812608653),
  v('XOR_Table_12R_12H', 145169214, 2, 10, 0, 10, undefined, 1742030654),
  v('XOR_Table_12R_12H', 328998732, 10, 10, 0, 10, undefined, 3947985996),
  v('XOR_Table_12R_12H', 159252439, 3, 10, 0, 10, undefined, 1911027415),
  v('XOR_Table_12R_12H', 342098916, 5, 10, 0, 10, undefined, 4105186020),
  v('XOR_Table_12R_12H', 97970344, 8, 10, 0, 10, undefined, 1175645096),
  v('XOR_Table_12R_12H', 214995572, 8, 10, 0, 10, undefined, 2579948404),
  v('XOR_Table_12R_12H', 101289661, 7, 10, 0, 10, undefined, 1215475645),
  v('XOR_Table_12R_12H', 40424079, 7, 10, 0, 10, undefined, 485088911),
  v('XOR_Table_12R_12H', 231458716, 7, 10, 0, 10, undefined, 2777503900),
];

/* shapes.h: queries that parse but whose shape query_check
 * (searcher/qcheck.c) refuses, each with the whole message both the
 * local and the cluster searcher give (check_parse, check_search and
 * check_cluster hold them to it). */
#ifndef MORGUE_TESTS_SHAPES_H
#define MORGUE_TESTS_SHAPES_H

typedef struct refused_shape {
    const char *query;
    const char *message;
} refused_shape;

static const refused_shape refused_shapes[] = {
    { "lang:xyz", "lang: takes a two-letter ISO 639-1 code such as ru, or "
                  "und (column 6)" },
    { "oil (lang:ru OR lang:r1)", "lang: takes a two-letter ISO 639-1 code "
                                  "such as ru, or und (column 22)" },
    { "oil lang:ru*", "lang: takes a code, not a prefix (column 10)" },
    { "lang:\"ru\"", "lang: takes a code, not a phrase (column 6)" },
    { "oil -lang:(ru NEAR/2 kk)",
      "lang: takes a code, not a phrase (column 12)" },
    /* 65 words, one over MORGUE_QUERY_MAX_PHRASE */
    { "oil \""
      "w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w1"
      "8 w19 w20 w21 w22 w23 w24 w25 w26 w27 w28 w29 w30 w31 w32 w33 w3"
      "4 w35 w36 w37 w38 w39 w40 w41 w42 w43 w44 w45 w46 w47 w48 w49 w5"
      "0 w51 w52 w53 w54 w55 w56 w57 w58 w59 w60 w61 w62 w63 w64"
      "\"",
      "query error at column 5: a phrase of 65 words; at most 64" },
    { "h0-h1-h2-h3-h4-h5-h6-h7-h8-h9-h10-h11-h12-h13-h14-h15-h16-h17-h1"
      "8-h19-h20-h21-h22-h23-h24-h25-h26-h27-h28-h29-h30-h31-h32-h33-h3"
      "4-h35-h36-h37-h38-h39-h40-h41-h42-h43-h44-h45-h46-h47-h48-h49-h5"
      "0-h51-h52-h53-h54-h55-h56-h57-h58-h59-h60-h61-h62-h63-h64",
      "query error at column 1: a phrase of 65 words; at most 64" },
};

#define N_REFUSED_SHAPES (sizeof refused_shapes / sizeof *refused_shapes)

#endif

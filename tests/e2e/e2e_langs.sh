#!/usr/bin/env bash
# Every article in its own language, every place under every name: the
# fixtures of tests/data/langs (English, Russian, Ukrainian, German, French,
# Spanish, Italian, declared Portuguese and Polish, tickers no detector can
# tell, a headline too short to try) indexed with detection; per-language
# stemming, lang:, --facet lang, the built-in variants (Almaty finds
# Alma-Ata and Алматы), phrase synonyms, the synonyms file and
# --no-synonyms; a forced --lang.
. "$(dirname "$0")/lib.sh"
DATA="$SRC_DIR/tests/data/langs"
IX="$WORK/idx"
expect_status 0 "$MORGUE" index --quiet --index "$IX" "$DATA"
S() { expect_status 0 "$MORGUE" search --index "$IX" --json --limit 50 "$@"; }
ids() { grep -o '"id": "[^"]*"' "$WORK/out" | cut -d'"' -f4 | sort | tr '\n' ' '; }
has() { ids | grep -q -- "$1" || fail "$2: no $1 in $(ids)"; }
hasnt() { ids | grep -q -- "$1" && fail "$2: $1 in $(ids)"; return 0; }

# detection, declared languages, und, the short-text default
for pair in en-quake:en ru-protest:ru uk-kyiv:uk de-wahl:de fr-greve:fr \
            es-elecciones:es it-alluvione:it xx-tickers:und ru-short:en \
            declared.html:pt pl-powodz:pl; do
  id=${pair%%:*} lang=${pair##*:}
  S "lang:$lang"
  has "$id" "lang:$lang"
done
S lang:ru
hasnt uk-kyiv "Ukrainian told from Russian"
hasnt ru-short "a headline alone takes the index default"

# facets count the codes
S --facet lang 'lang:ru OR lang:uk OR lang:de'
tr -d ' \n' < "$WORK/out" | grep -q '"lang":\[{"value":"ru","count":2},' ||
  fail "lang facet: $(tr -d ' \n' < "$WORK/out" | grep -o '"lang":\[[^]]*\]')"

# each article stemmed with its own language: inflected query words
S протестами;   has ru-protest "Russian stem"
S Ergebnisse;   has de-wahl "German stem"
S grèves;       has fr-greve "French stem"
S elección;     has es-elecciones "Spanish stem"
S sfollato;     has it-alluvione "Italian stem"
S 'retraite lang:de'
[ "$(json_field total "$WORK/out")" = 0 ] || fail "lang: filter leaks"
# natural mode drops the stopwords of every language present: "la" and
# "des" (French, Spanish, Italian lists) no longer match the Spanish and
# Italian articles, only the French one's content words are left
expect_status 0 "$MORGUE" search --index "$IX" --json --natural \
  'quelle est la réforme des retraites'
[ "$(json_field total "$WORK/out")" = 1 ] || fail "French stopwords kept"
expect_status 0 "$MORGUE" search --index "$IX" --json --natural \
  'что происходит в Алматы'
grep -q 'Алматы' "$WORK/out" || fail "Russian natural query"

# built-in variants, across scripts; the JSON says what was expanded
S almaty
has en-quake "Almaty -> Alma-Ata"; has ru-protest "Almaty -> Алматы"
has en-protest "Almaty itself"
tr -d ' \n' < "$WORK/out" | grep -q '"expansions":\[{"from":"almaty","to":\[' ||
  fail "expansions in the JSON"
grep -q '"source": "builtin"' "$WORK/out" || fail "expansion source"
S Київ;  has ru-kiev "Київ -> Киев"; has uk-kyiv "Київ itself"
# phrases: a one-word name finds its phrase variant and back
S saigon;               has en-hcmc "Saigon -> Ho Chi Minh City"
S '"ho chi minh city"'; has en-saigon "phrase -> Saigon"
S ho-chi-minh-city;     has en-saigon "hyphenated phrase -> Saigon"
S 'ho chi minh city';   has en-saigon "words typed apart -> Saigon"
S 'ho chi minh city flooding'; has en-saigon "a name run among other words"
expect_status 0 "$MORGUE" search --index "$IX" --json 'ho chi minh city flooding'
[ "$(json_field total "$WORK/out")" = 1 ] || fail "the other words stay required"
# the natural mode expands names too: one word, hyphenated, typed apart
N() { expect_status 0 "$MORGUE" search --index "$IX" --json --limit 50 --natural "$@"; }
N 'news from almaty'
has en-quake "natural: Almaty -> Alma-Ata"; has ru-protest "natural: Almaty -> Алматы"
tr -d ' \n' < "$WORK/out" | grep -q '"expansions":\[{"from":"almaty","to":\[' ||
  fail "natural: expansions in the JSON"
N 'flooding in ho chi minh city'; has en-saigon "natural: words typed apart -> Saigon"
tr -d '\n' < "$WORK/out" | grep -q '"from": *"ho chi minh city"' ||
  fail "natural: the name typed apart is what was expanded"
N 'saigon streets';   has en-hcmc "natural: Saigon -> Ho Chi Minh City (a phrase)"
N --expand 'alma-ata'; has ru-protest "natural + feedback: Alma-Ata -> Алматы"
N --no-synonyms 'what about almaty'
hasnt en-quake "natural --no-synonyms"
S --no-synonyms almaty
hasnt en-quake "--no-synonyms"
tr -d ' \n' < "$WORK/out" | grep -q '"expansions":\[\]' ||
  fail "--no-synonyms still lists expansions"

# the index's synonyms file: a phrase group, no reindex, listed, checked
printf '# stock markets\nstock market, bourse, börse\nNYSE, New York Stock Exchange\n' > "$WORK/syn.txt"
expect_status 0 "$MORGUE" synonyms import --index "$IX" "$WORK/syn.txt"
expect_status 0 "$MORGUE" synonyms list --index "$IX"
grep -qx 'nyse, new york stock exchange' "$WORK/out" || fail "list: $(cat "$WORK/out")"
S '"new york stock exchange"'
has xx-tickers "file synonym (phrase -> word)"
grep -q '"source": "synonyms"' "$WORK/out" || fail "file expansion source"
printf 'almaty, alma-ata\nlonely\n' > "$WORK/bad.txt"
expect_status 1 "$MORGUE" synonyms import --index "$IX" "$WORK/bad.txt"
grep -q 'line 2, byte 1' "$WORK/err" || fail "bad file message: $(cat "$WORK/err")"
expect_status 0 "$MORGUE" synonyms list --index "$IX"
grep -q 'nyse' "$WORK/out" || fail "a bad import replaced the good file"
expect_status 0 "$MORGUE" synonyms list --builtin
[ "$(grep -c , "$WORK/out")" -ge 300 ] || fail "built-in list too short"
expect_status 0 "$MORGUE" synonyms clear --index "$IX"
S '"new york stock exchange"'
hasnt xx-tickers "cleared synonyms file"

# names in another script beyond the built-in list, by their fold keys
# (text/translit.h): Cyrillic and Greek names none of whose spellings the
# variants list has, in inflected forms
TX="$WORK/translit"
expect_status 0 "$MORGUE" index --quiet --index "$TX" "$SRC_DIR/tests/data/translit"
T() { expect_status 0 "$MORGUE" search --index "$TX" --json --limit 50 "$@"; }
T pavlodar;     has ru-pavlodar "Павлодаре (inflected) as pavlodar"
has en-pavlodar "pavlodar itself"
tr -d ' \n' < "$WORK/out" |
  grep -q '"expansions":\[{"from":"pavlodar","to":\["pavlodar"\],"source":"translit"}' ||
  fail "translit expansion in the JSON"
T ekibastuz;    has ru-pavlodar "Экибастузе as ekibastuz"
T kokshetau;    has ru-kokshetau "Кокшетау (BGN sh) as kokshetau"
T smailov;      has ru-kokshetau "Смаилов (not its stem) as smailov"
T sobyanin;     has ru-moscow "Собянин as sobyanin"
T ternopil;     has uk-ternopil "Ukrainian Тернопіль as ternopil"
T larissa;      has el-larisa "Greek Λάρισα as larissa"
T kavala;       has el-larisa "Greek Καβάλα as kavala"
T 'pavlodar lang:ru'; has ru-pavlodar "a folded name with a filter"
T 'pavlodar heating'; hasnt ru-pavlodar "the other words stay required"
T ural;         has ru-mir "Урала as ural"
T mir
[ "$(json_field total "$WORK/out")" = 0 ] || fail "a 3-letter key folded (mir)"
T --no-synonyms pavlodar; hasnt ru-pavlodar "--no-synonyms keeps the fold off"
expect_status 0 "$MORGUE" search --index "$TX" --json --limit 50 --natural \
  'power cut in ekibastuz'
has ru-pavlodar "natural mode folds too"
# fold keys pass the checker and survive a merge of segments
expect_status 0 "$MORGUE" index --quiet --index "$TX" "$DATA/wire.jsonl"
expect_status 0 "$MORGUE" compact --index "$TX"
expect_status 0 "$MORGUE" check --index "$TX"
T smailov;      has ru-kokshetau "fold keys after compact"
# a key no article holds is no expansion
S pavlodar
tr -d ' \n' < "$WORK/out" | grep -q '"source":"translit"' &&
  fail "a fold expansion that matches nothing"

# --lang forces one stemmer: the Russian inflection is then not folded
expect_status 0 "$MORGUE" index --quiet --lang english --index "$WORK/forced" "$DATA"
expect_status 0 "$MORGUE" search --index "$WORK/forced" --json 'lang:en'
[ "$(json_field total "$WORK/out")" -ge 14 ] || fail "forced language column"
expect_status 0 "$MORGUE" search --index "$WORK/forced" --json --no-synonyms протестами
[ "$(json_field total "$WORK/out")" = 0 ] || fail "forced English stemmed Russian"
echo "e2e_langs: ok"

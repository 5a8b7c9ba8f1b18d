// xapian_bench.cc: Xapian 1.4 set up as a typical user would (the
// "getting started" recipe), timed by the shared driver (common/bench.c).
//
// Indexing: TermGenerator with Stem("english") (STEM_SOME, positions on);
// the title indexed twice, with prefix S (for title: searches) and
// unprefixed with wdf 2 (weighted above the body); the body after a term
// position gap; a unique Q<id> term (so a later run could
// replace_document() by it), added with add_document(): the index is built
// afresh, and replace_document() would halve the rate here for nothing.
// Values: slot 0 the date as YYYYMMDD, slot 1 the month as YYYY-MM (for
// facets). Document data: id, title and body separated by NULs (the body
// is needed for snippets).
//
// Searching: QueryParser with the same stemmer, STEM_SOME, default operator
// AND (OR for the or class), phrases in quotes, a DateRangeProcessor on
// slot 0 ("date:1987-03-01..1987-03-31"), BM25Weight, MSet::snippet for
// snippets, a ValueCountMatchSpy on slot 1 for month facets over all
// matches (check_at_least = the document count).
#include "common/bench.h"

#include <xapian.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>

namespace {

const Xapian::valueno SLOT_DATE = 0;
const Xapian::valueno SLOT_MONTH = 1;

const char *xapian_version() { return Xapian::version_string(); }

struct Writer {
    Xapian::WritableDatabase db;
    Xapian::TermGenerator tg;
};

void *writer_open(const char *dir)
{
    try {
        Writer *w = new Writer;
        w->db = Xapian::WritableDatabase(dir, Xapian::DB_CREATE_OR_OVERWRITE);
        w->tg.set_stemmer(Xapian::Stem("english"));
        w->tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        return w;
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian: " << e.get_description() << "\n";
        return nullptr;
    }
}

int add(void *wp, const bench_article *a)
{
    Writer *w = static_cast<Writer *>(wp);
    try {
        Xapian::Document doc;
        w->tg.set_document(doc);
        std::string title(a->title, a->title_len);
        std::string body(a->body, a->body_len);
        w->tg.index_text(title, 1, "S");
        w->tg.index_text(title, 2);
        w->tg.increase_termpos();
        w->tg.index_text(body);
        if (a->ymd[0]) {
            doc.add_value(SLOT_DATE, a->ymd);
            doc.add_value(SLOT_MONTH, a->month);
        }
        std::string data(a->id);
        data += '\0';
        data += title;
        data += '\0';
        data += body;
        doc.set_data(data);
        std::string idterm = std::string("Q") + a->id;
        doc.add_boolean_term(idterm);
        w->db.add_document(doc);
        return 0;
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian: " << e.get_description() << "\n";
        return -1;
    }
}

int writer_finish(void *wp)
{
    Writer *w = static_cast<Writer *>(wp);
    int rc = 0;
    try {
        w->db.commit();
        w->db.close();
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian: " << e.get_description() << "\n";
        rc = -1;
    }
    delete w;
    return rc;
}

struct Searcher {
    Xapian::Database db;
    Xapian::Stem stem{"english"};
    Xapian::QueryParser qp;
    Xapian::DateRangeProcessor rp{SLOT_DATE, "date:"};
    Xapian::doccount n_docs = 0;
};

void *searcher_open(const char *dir)
{
    try {
        Searcher *s = new Searcher;
        s->db = Xapian::Database(dir);
        s->qp.set_stemmer(s->stem);
        s->qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        s->qp.set_database(s->db);
        s->qp.add_prefix("title", "S");
        s->qp.add_rangeprocessor(&s->rp);
        s->n_docs = s->db.get_doccount();
        return s;
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian: " << e.get_description() << "\n";
        return nullptr;
    }
}

void searcher_close(void *sp) { delete static_cast<Searcher *>(sp); }

int supports(void *, int, int) { return 1; }

int run(void *sp, const bench_query *q, int mode, bench_result *r)
{
    Searcher *s = static_cast<Searcher *>(sp);
    try {
        std::string text;
        if (q->cls == BQ_PHRASE)
            text = std::string("\"") + q->text + "\"";
        else
            text = q->text;
        if (q->from[0])
            text += std::string(" date:") + q->from + ".." + q->to;
        s->qp.set_default_op(bench_class_is_or(q->cls)
                                 ? Xapian::Query::OP_OR
                                 : Xapian::Query::OP_AND);
        Xapian::Query query = s->qp.parse_query(text);
        Xapian::Enquire enquire(s->db);
        enquire.set_query(query);
        enquire.set_weighting_scheme(Xapian::BM25Weight());
        Xapian::ValueCountMatchSpy spy(SLOT_MONTH);
        Xapian::doccount check_at_least = 0;
        if (mode == BM_COUNT) {
            // Counting: no documents asked for, every match checked, so
            // the estimate is exact (no weights needed: BoolWeight).
            enquire.set_weighting_scheme(Xapian::BoolWeight());
            Xapian::MSet m = enquire.get_mset(0, 0, s->n_docs);
            r->count = m.get_matches_estimated();
            return 0;
        }
        if (mode == BM_FACETS) {
            enquire.add_matchspy(&spy);
            check_at_least = s->n_docs;
        }
        Xapian::MSet mset = enquire.get_mset(0, BENCH_TOPK, check_at_least);
        for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
            std::string data = it.get_document().get_data();
            size_t id_end = data.find('\0');
            bench_result_add_id(r, data.data(),
                                id_end == std::string::npos ? data.size()
                                                            : id_end);
            if (mode == BM_SNIPPETS) {
                // The body; the title for the title-only articles.
                size_t body = data.find('\0', id_end + 1);
                std::string shown = data.substr(body + 1);
                if (shown.empty())
                    shown = data.substr(id_end + 1, body - id_end - 1);
                std::string snip = mset.snippet(shown, 200, s->stem);
                r->snippet_bytes += snip.size();
            }
        }
        if (mode == BM_FACETS) {
            for (Xapian::TermIterator it = spy.values_begin();
                 it != spy.values_end(); ++it) {
                r->facet_values++;
                r->facet_total += it.get_termfreq();
            }
        }
        return 0;
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian: " << q->text << ": " << e.get_description()
                  << "\n";
        return -1;
    }
}

// Ranking quality: the question as typed through QueryParser with the
// default operator OR and its default flags (the stemmer and STEM_SOME as
// above), BM25Weight with its defaults.
int rank(void *sp, const char *question, size_t depth,
         void (*emit)(void *, const char *, size_t, double), void *ud)
{
    Searcher *s = static_cast<Searcher *>(sp);
    try {
        s->qp.set_default_op(Xapian::Query::OP_OR);
        std::string text(question);
        // XAPIAN_BENCH_LOWER=1: the question lower-cased first, so that
        // STEM_SOME stems the words of all-capitals questions and their
        // AND / OR / NOT are not operators (a variant, for comparison).
        if (getenv("XAPIAN_BENCH_LOWER") && *getenv("XAPIAN_BENCH_LOWER"))
            for (char &ch : text)
                if (ch >= 'A' && ch <= 'Z')
                    ch = (char)(ch - 'A' + 'a');
        Xapian::Query query = s->qp.parse_query(text);
        Xapian::Enquire enquire(s->db);
        enquire.set_query(query);
        enquire.set_weighting_scheme(Xapian::BM25Weight());
        Xapian::MSet mset = enquire.get_mset(0, (Xapian::doccount)depth);
        for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
            std::string data = it.get_document().get_data();
            size_t id_end = data.find('\0');
            emit(ud, data.data(),
                 id_end == std::string::npos ? data.size() : id_end,
                 it.get_weight());
        }
        return 0;
    } catch (const Xapian::QueryParserError &e) {
        std::cerr << "xapian: rejected \"" << question
                  << "\": " << e.get_description() << "\n";
        return 0;
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian: " << e.get_description() << "\n";
        return -1;
    }
}

const bench_engine engine = {
    "xapian", xapian_version, writer_open, add, writer_finish,
    searcher_open, searcher_close, supports, run, rank
};

} // namespace

int main(int argc, char **argv) { return bench_main(argc, argv, &engine); }

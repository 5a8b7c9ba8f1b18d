// xapian_similar.cc: Xapian's "more like this" (relevance-set query
// expansion) judged by Reuters-21578 topics, on the articles
// similar_bench drew, for the comparison in benchmarks/stories/README.md.
//
//   xapian_similar --topics all-topics-strings.lc.txt --ids IDS CORPUS.jsonl
//
// Indexing as xapian_bench.cc does (TermGenerator, Stem("english"),
// STEM_SOME, title with wdf 2, a Q<id> term). For each id: an RSet of that
// one document, Enquire::get_eset(25) (terms that are not prefixed, so no
// id or title-field terms), an OP_OR query of those 25 terms weighted by
// BM25, the top 11 less the document itself. P@10 is the share of the 10
// sharing a topic with it (missing answers count as wrong).
#include "common/bench.h"

#include <xapian.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

struct NoPrefix : public Xapian::ExpandDecider {
    bool operator()(const std::string &t) const override
    {
        return !t.empty() && !(t[0] >= 'A' && t[0] <= 'Z');
    }
};

}

int main(int argc, char **argv)
{
    const char *corpus = nullptr, *ids = nullptr, *topics_file = nullptr;
    const char *dir = "xapian-similar-db";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--ids") && i + 1 < argc)
            ids = argv[++i];
        else if (!strcmp(argv[i], "--topics") && i + 1 < argc)
            topics_file = argv[++i];
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            dir = argv[++i];
        else
            corpus = argv[i];
    }
    if (!corpus || !ids || !topics_file) {
        std::cerr << "usage: xapian_similar --topics FILE --ids IDS "
                     "[--db DIR] CORPUS\n";
        return 2;
    }
    std::set<std::string> topic_names;
    {
        std::ifstream f(topics_file);
        std::string l;
        while (std::getline(f, l))
            if (!l.empty())
                topic_names.insert(l);
    }
    std::map<std::string, std::set<std::string>> topics;
    try {
        Xapian::WritableDatabase db(dir, Xapian::DB_CREATE_OR_OVERWRITE);
        Xapian::TermGenerator tg;
        tg.set_stemmer(Xapian::Stem("english"));
        tg.set_stemming_strategy(Xapian::TermGenerator::STEM_SOME);
        bench_corpus *c = bench_corpus_open(corpus);
        if (!c)
            return 1;
        bench_article a;
        while (bench_corpus_next(c, &a) == 1) {
            Xapian::Document doc;
            tg.set_document(doc);
            std::string title(a.title, a.title_len), body(a.body, a.body_len);
            tg.index_text(title, 1, "S");
            tg.index_text(title, 2);
            tg.increase_termpos();
            tg.index_text(body);
            doc.set_data(a.id);
            doc.add_boolean_term(std::string("Q") + a.id);
            db.add_document(doc);
            std::set<std::string> &t = topics[a.id];
            for (size_t k = 0; k < a.n_tags; k++)
                if (topic_names.count(a.tags[k]))
                    t.insert(a.tags[k]);
        }
        bench_corpus_close(c);
        db.commit();
    } catch (const Xapian::Error &e) {
        std::cerr << "xapian: " << e.get_description() << "\n";
        return 1;
    }
    Xapian::Database db(dir);
    Xapian::Enquire enq(db);
    enq.set_weighting_scheme(Xapian::BM25Weight());
    NoPrefix decider;
    std::ifstream in(ids);
    std::string id;
    double sum = 0, t0 = bench_now();
    size_t asked = 0, answers = 0;
    while (std::getline(in, id)) {
        Xapian::PostingIterator p = db.postlist_begin("Q" + id);
        if (p == db.postlist_end("Q" + id))
            continue;
        Xapian::docid self = *p;
        Xapian::RSet rs;
        rs.add_document(self);
        Xapian::Query seed("Q" + id);
        enq.set_query(seed);
        Xapian::ESet es = enq.get_eset(25, rs, &decider);
        std::vector<Xapian::Query> terms;
        for (Xapian::ESetIterator t = es.begin(); t != es.end(); ++t)
            terms.emplace_back(*t);
        enq.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(),
                                    terms.end()));
        Xapian::MSet ms = enq.get_mset(0, 11);
        int good = 0, got = 0;
        const std::set<std::string> &mine = topics[id];
        for (Xapian::MSetIterator m = ms.begin(); m != ms.end() && got < 10;
             ++m) {
            if (*m == self)
                continue;
            got++;
            const std::set<std::string> &theirs =
                topics[m.get_document().get_data()];
            for (const std::string &t : mine)
                if (theirs.count(t)) {
                    good++;
                    break;
                }
        }
        answers += got;
        sum += good / 10.0;
        asked++;
    }
    printf("engine xapian queries %zu answers %zu p_at_10 %.4f "
           "seconds_per_query %.4f\n", asked, answers,
           asked ? sum / asked : 0.0, (bench_now() - t0) / (asked ? asked : 1));
    return 0;
}

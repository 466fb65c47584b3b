from unspin.bench.restore_scoring import joined_chunks


def test_joined_chunks_join_short_texts_until_they_make_a_document():
    texts = [" ".join(["text", "abcdefghi"[i]] * 50) + "." for i in range(9)]  # 100 words each
    chunks = joined_chunks(texts, 10)
    assert len(chunks) == 2 and all(len(c.split()) == 400 for c in chunks)  # the ninth text waits for more
    assert chunks[0].split("\n\n") == texts[:4]
    assert joined_chunks(texts, 10, join=False) == []  # 100 words alone are under a document's 150
    assert joined_chunks(texts, 1) == chunks[:1]

"""The one catalogue of error codes: every class has an entry, messages keep their code and source."""

from __future__ import annotations

import pytest

from unspin import errors


def test_every_error_class_has_a_catalogue_entry_and_codes_are_unique():
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.UnspinError)]
    assert len(classes) > 15
    for cls in classes:
        assert cls.code in errors.CATALOGUE, cls
    assert all(code == entry.code for code, entry in errors.CATALOGUE.items())


def test_input_errors_exit_1_usage_2_internal_4_and_http_statuses():
    assert errors.TooLarge("x").exit_code == 1 and errors.TooLarge("x").http_status == 413
    assert errors.UnsupportedFormat("x").http_status == 415
    assert errors.OutputIsInput("x").exit_code == 2
    assert errors.ArtifactError("x").exit_code == 4 and errors.ModelError("x").http_status == 500


def test_messages_start_with_the_code_and_name_the_source():
    err = errors.error_for("U105", "malformed JSON line", source="a.jsonl:3")
    assert isinstance(err, errors.MalformedRow) and str(err) == "U105 a.jsonl:3: malformed JSON line"
    assert errors.error_record("d1", err) == {"schema_version": "1.0", "doc_id": "d1", "error": "U105 a.jsonl:3: malformed JSON line"}
    again = errors.error_from_message(str(err))
    assert isinstance(again, errors.MalformedRow) and str(again) == str(err)
    assert errors.code_of("no code here") == "U000" and errors.exit_code_of("U104 x: y") == 1
    with pytest.raises(KeyError):
        errors.error_for("U999", "nope")


def test_io_input_errors_are_the_catalogue_classes():
    from unspin.io import input_errors

    assert input_errors.TooLarge is errors.TooLarge and input_errors.BadEncoding.code == "U104"

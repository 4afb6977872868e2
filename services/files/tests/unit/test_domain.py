import pytest

from scloud_files.domain import (
    DEFAULT_CONTENT_TYPE,
    FileIdGenerator,
    InvalidName,
    Item,
    ItemKind,
    PreviewKind,
    clean_file_name,
    content_disposition,
    is_file_id,
    is_inline_safe,
    preview_kind,
    served_content_type,
)


def test_file_ids_are_ulids_that_increase_even_within_a_millisecond():
    new_id = FileIdGenerator()
    ids = [new_id() for _ in range(1000)]
    assert all(is_file_id(file_id) for file_id in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)


def test_content_disposition_has_an_ascii_fallback_and_the_exact_utf8_name():
    assert content_disposition('résumé 日本 "q".txt') == (
        'attachment; filename="resume __ _q_.txt"; '
        "filename*=UTF-8''r%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC%20%22q%22.txt"
    )
    assert content_disposition("plain.txt") == "attachment; filename=\"plain.txt\"; filename*=UTF-8''plain.txt"
    assert content_disposition("a.png", inline=True) == "inline; filename=\"a.png\"; filename*=UTF-8''a.png"


def test_content_disposition_survives_quotes_semicolons_and_line_breaks():
    assert content_disposition('q"uote;\r\n.txt') == (
        "attachment; filename=\"q_uote;__.txt\"; filename*=UTF-8''q%22uote%3B%0D%0A.txt"
    )


@pytest.mark.parametrize("name", [".", "..", "...", " . ", ". .", "..\u00a0..", "\u200b..\u202e"])
def test_names_of_only_dots_and_spaces_are_refused_not_changed(name):
    with pytest.raises(InvalidName):
        clean_file_name(name)


@pytest.mark.parametrize("name", [".hidden", "a.", "..a", ". a", "...txt"])
def test_names_with_anything_besides_dots_and_spaces_are_kept(name):
    assert clean_file_name(name) == name.strip()


@pytest.mark.parametrize("content_type", ["image/svg-xml", "image/xhtml+xml", "image/x+xml", "video/x+xml"])
def test_types_that_only_look_like_media_are_neither_stored_nor_served_inline(content_type):
    assert not is_inline_safe(content_type)
    assert served_content_type(content_type) == DEFAULT_CONTENT_TYPE


@pytest.mark.parametrize("content_type", ["image/png", "image/jpeg", "application/pdf", "text/plain", "video/mp4"])
def test_listed_media_types_are_served_inline(content_type):
    assert is_inline_safe(content_type) and served_content_type(content_type) == content_type


@pytest.mark.parametrize(
    ("name", "content_type", "size", "expected"),
    [
        ("photo.png", "image/png", 10, PreviewKind.IMAGE),
        ("song.mp3", "audio/mpeg", 10, PreviewKind.AUDIO),
        ("clip.mp4", "video/mp4", 10, PreviewKind.VIDEO),
        ("report.pdf", "application/pdf", 10, PreviewKind.PDF),
        ("notes.txt", "text/plain", 10, PreviewKind.TEXT),
        ("page.html", DEFAULT_CONTENT_TYPE, 10, PreviewKind.TEXT),
        ("drawing.svg", DEFAULT_CONTENT_TYPE, 10, PreviewKind.TEXT),
        ("huge.log", "text/plain", 2 * 1024 * 1024, None),
        ("bundle.zip", DEFAULT_CONTENT_TYPE, 10, None),
        ("photo.heic", DEFAULT_CONTENT_TYPE, 10, None),
    ],
)
def test_a_preview_shows_inline_only_served_types_on_the_allow_list_and_the_rest_as_text_or_not(
    name, content_type, size, expected
):
    item = Item("01J", "alice", ItemKind.FILE, name, None, "t", "t", size=size, content_type=content_type)
    assert preview_kind(item) is expected

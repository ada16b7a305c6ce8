"""Pinyin of names and tags (pure): initials and full pinyin, what counts as a pinyin term."""

from workbench.library import pinyin


def test_readings_are_initials_and_full_pinyin():
    assert pinyin.readings("医保基金使用合规率") == ("ybjjsyhgl", "yibaojijinshiyongheguilv")
    assert pinyin.readings("重点人群签约率") == ("zdrqqyl", "zhongdianrenqunqianyuelv")


def test_text_that_is_not_chinese_is_kept_lower_cased():
    assert pinyin.readings("PM2.5 达标率") == ("pm2.5dbl", "pm2.5dabiaolv")
    assert pinyin.readings("") == ("", "")


def test_document_holds_name_and_tags_once_each():
    document = pinyin.document("医保基金使用合规率", ["医保", "医保"])
    assert document.split("\n") == [
        "ybjjsyhgl",
        "yibaojijinshiyongheguilv",
        "yb",
        "yibao",
    ]


def test_pinyin_terms_are_two_latin_letters_or_more():
    assert pinyin.is_pinyin_term("ybjj") and pinyin.is_pinyin_term("yibao")
    assert not pinyin.is_pinyin_term("y")  # 率 alone is "l": one letter would match nearly all
    assert not pinyin.is_pinyin_term("医保")
    assert not pinyin.is_pinyin_term("pm2.5")
    assert not pinyin.is_pinyin_term("yb jj")

"""What the TOML and JSON parsers say, in Chinese: a reader of a form file never sees their English."""

from __future__ import annotations

# The parsers' own messages, in Chinese: (start of the English message, Chinese); the rest is kept.
_PARSER_MESSAGES = (
    ("Illegal character", "非法字符"),
    ("Unterminated string", "字符串没有结束（缺少引号）"),
    ("Expected '=' after a key in a key/value pair", "键后面应为「=」"),
    ("Invalid value", "值无效"),
    ("Invalid statement", "语句无效"),
    ("Cannot overwrite a value", "不能覆盖已有的值（同一个键出现两次）"),
    ("Cannot declare", "重复声明"),
    ("Expected newline or end of document after a statement", "一条语句之后应换行"),
    ("Invalid initial character for a key part", "键的首字符无效"),
    ("Unclosed array", "数组没有闭合（缺少「]」）"),
    ("Unclosed inline table", "内联表没有闭合（缺少「}」）"),
    ("Found invalid character in string", "字符串中有无效字符"),
    ("Invalid date or datetime", "日期或时间无效"),
    ("Cannot mutate immutable namespace", "不能修改已定义的表"),
    ("Expected ']' at the end of a table declaration", "表声明末尾应为「]」"),
    ("Expected ']]' at the end of an array declaration", "数组表声明末尾应为「]]」"),
    ("Invalid hex value", "十六进制值无效"),
    ("Expecting value", "这里应有一个值"),
    ("Expecting property name enclosed in double quotes", "这里应为用双引号括起的键名"),
    ("Expecting ',' delimiter", "这里应为逗号「,」"),
    ("Expecting ':' delimiter", "这里应为冒号「:」"),
    ("Unterminated string starting at", "字符串没有结束（缺少引号）"),
    ("Invalid control character at", "字符串中有控制字符"),
    ("Extra data", "数据之后还有多余内容"),
    ("Invalid \\escape", "转义序列无效"),
    ("Invalid \\uXXXX escape", "\\u 转义无效"),
)


def parser_message(msg: str) -> str:
    """A TOML/JSON parser message in Chinese, with any quoted detail kept."""
    for english, chinese in _PARSER_MESSAGES:
        if msg.startswith(english):
            rest = msg[len(english) :].strip(" :")
            return f"{chinese}（{rest}）" if rest and not rest[0].isdigit() else chinese
    return msg

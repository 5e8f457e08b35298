"""Find user-visible strings that skip gettext: in page templates, and in the Python that words
refusals, flashes, form labels and page titles.

Templates: each is parsed by Jinja (with the i18n extension, so `{% trans %}` blocks and `_()`
calls are gettext calls, not text); its literal text is laid out as HTML with every expression
replaced by a blank, and every text node and every visible attribute (placeholder, title,
aria-label, alt, data-confirm, a submit input's value) that still holds a letter is reported.
String constants printed by an expression (`{{ 'Open' if x else 'Closed' }}`) and prose passed
to a macro (`field(f, hint='...')`) are reported too.

Python: `raise SomeApiError("...")` (and every subclass), the arguments of a function that makes or
raises one from its parameters (`refuse(field, "...")`), `flash("...")`, WTForms field labels
and validator messages, and `title=` / `message=` / `button=` keywords must not be a bare string
or f-string: they go through `_()` / `_l()`.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

# Words that are the same in every language: the product's name and protocol names.
ALLOWED = frozenset({"Civic 311", "Civic", "311", "SMTP", "GeoJSON", "Open311", "OpenID Connect", "SLA", "ID",
                     "CSV", "API", "JSON", "SSO", "OK", "URL", "@"})
VISIBLE_ATTRIBUTES = frozenset({"placeholder", "title", "aria-label", "alt", "data-confirm", "aria-description"})
# Macro keywords that are shown to people (the others are HTML attributes such as autocomplete).
VISIBLE_KEYWORDS = frozenset({"hint", "label", "confirm", "empty", "title", "picture_alt", "placeholder",
                              "legend", "caption", "text"})
GETTEXT = frozenset({"_", "gettext", "ngettext", "pgettext", "npgettext", "_l", "lazy_gettext", "lazy_ngettext"})
BLANK = "\ue000"  # an expression's place in the laid-out HTML: "\ue000<n>\ue001", n its printed constants
MARK = re.compile("\ue000(\\d+)\ue001")
LETTER = re.compile(r"[^\W\d_]")


def _visible(text: str) -> str | None:
    """The text if a person would read words in it (letters beyond the allowed names), else None."""
    words = " ".join(MARK.sub(" ", text).split())
    if not LETTER.search(words):
        return None
    rest = words
    for name in sorted(ALLOWED, key=len, reverse=True):
        rest = rest.replace(name, " ")
    return words if LETTER.search(rest) else None


def _is_gettext(call: nodes.Call) -> bool:
    return isinstance(call.node, nodes.Name) and call.node.name in GETTEXT


class _Skeleton:
    """A template's literal HTML with expressions blanked, and the string constants it prints."""

    def __init__(self, macros: set[str]):
        self.parts: list[str] = []
        self.printed: list[str] = []  # constants printed where they are read (see `placed`)
        self.passed: list[str] = []  # prose handed to macros
        self.macros = macros

    def visit(self, node: nodes.Node) -> None:
        if isinstance(node, nodes.Block) and node.name.endswith("_class"):
            return  # CSS classes, not words
        if isinstance(node, nodes.Output):
            for child in node.nodes:
                if isinstance(child, nodes.TemplateData):
                    self.parts.append(child.data)
                else:
                    self.parts.append(f"{BLANK}{len(self.printed)}\ue001")
                    found: list[str] = []
                    self._printed(child, found)
                    self.printed.append(found)
                    self._calls(child)
            return
        if isinstance(node, nodes.Expr):
            self._calls(node)
            return
        for child in node.iter_child_nodes():
            self.visit(child)

    def _printed(self, expr: nodes.Node, found: list[str]) -> None:
        """String constants an output expression can evaluate to (not those inside calls)."""
        if isinstance(expr, nodes.Const) and isinstance(expr.value, str):
            found.append(expr.value)
        elif isinstance(expr, nodes.CondExpr):
            self._printed(expr.expr1, found)
            if expr.expr2 is not None:
                self._printed(expr.expr2, found)
        elif isinstance(expr, nodes.Concat):
            for item in expr.nodes:
                self._printed(item, found)
        elif isinstance(expr, nodes.BinExpr):
            self._printed(expr.left, found)
            self._printed(expr.right, found)
        elif isinstance(expr, nodes.Filter) and expr.node is not None and expr.name != "format":
            self._printed(expr.node, found)

    def _calls(self, expr: nodes.Node) -> None:
        """Prose handed to a template macro (as a positional argument or a visible keyword)."""
        calls = [expr] if isinstance(expr, nodes.Call) else []
        for call in calls + list(expr.find_all(nodes.Call)):
            if _is_gettext(call):
                continue
            name = call.node.name if isinstance(call.node, nodes.Name) else getattr(call.node, "attr", None)
            if name not in self.macros:
                continue
            for arg in call.args:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str) and (
                        " " in arg.value or arg.value[:1].isupper()):
                    self.passed.append(arg.value)
            for keyword in call.kwargs:
                if keyword.key in VISIBLE_KEYWORDS and isinstance(keyword.value, nodes.Const) \
                        and isinstance(keyword.value.value, str):
                    self.passed.append(keyword.value.value)


class _Html(HTMLParser):
    def __init__(self, printed: list[list[str]]):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.printed = printed
        self._skip = 0

    def _read(self, text: str) -> None:
        """Text a person reads: its literal words, and the constants printed into it."""
        if _visible(text):
            self.found.append(_visible(text))
        for index in MARK.findall(text):
            self.found.extend(value for value in self.printed[int(index)] if _visible(value))

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name, value in attrs:
            shown = name in VISIBLE_ATTRIBUTES or (
                name == "value" and tag == "input" and values.get("type") in ("submit", "button", "reset"))
            if shown and value:
                if _visible(value):
                    self.found.append(f'{name}="{MARK.sub("…", value)}"')
                for index in MARK.findall(value):
                    self.found.extend(v for v in self.printed[int(index)] if _visible(v))

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._read(data)


def _environment() -> Environment:
    return Environment(extensions=["jinja2.ext.i18n"])


def template_macros(paths: list[Path]) -> set[str]:
    """Every macro name the templates define (calls to them may carry visible prose)."""
    env = _environment()
    return {macro.name for path in paths for macro in env.parse(path.read_text()).find_all(nodes.Macro)}


def unmarked_in_template(source: str, macros: set[str] = frozenset()) -> list[str]:
    """Visible strings of one template that are not inside `{% trans %}` or `_()`."""
    skeleton = _Skeleton(set(macros))
    skeleton.visit(_environment().parse(source))
    html = _Html(skeleton.printed)
    html.feed("".join(skeleton.parts))
    html.close()
    return html.found + [text for text in skeleton.passed if _visible(text)]


# --- Python ---------------------------------------------------------------------------------

ERROR_CLASSES = {"ApiError", "NotFound", "Forbidden", "Unauthorized", "Conflict", "ValidationFailed",
                 "ValidationError", "TypedGeometryError"}
MESSAGE_KEYWORDS = {"title", "message", "button", "error"}  # error=: marshmallow validators' message
# Variables that hold a refusal's words before it is raised (`message = "The password is wrong."`).
MESSAGE_NAMES = {"message", "reason", "why"}
# Calls whose string arguments are shown: flash, and the portal's helpers that flash what they are given.
MESSAGE_CALLS = {"flash", "_act", "_done", "attempt_then_redirect", "member_choices"}


def _bare(node: ast.AST) -> bool:
    """A literal a person would read: a string with a letter and a space or a capital, or an f-string."""
    if isinstance(node, ast.JoinedStr):  # an f-string with words of its own ("{name} ({org})" has none)
        words = "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return bool(LETTER.search(words)) and (" " in words or words[:1].isupper())
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return bool(LETTER.search(node.value)) and (" " in node.value or node.value[:1].isupper())
    if isinstance(node, ast.BinOp):
        return _bare(node.left) or _bare(node.right)
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    return False


def _name(func: ast.AST) -> str | None:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _error_classes(tree: ast.AST, error_classes: set[str]) -> set[str]:
    errors = set(error_classes)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and any(_name(base) in errors for base in node.bases):
            errors.add(node.name)
    return errors


def _message_from(error: ast.Call, parameters: set[str]) -> bool:
    """The error's message, or a message of its details (`{field: [message]}`), is a bare parameter."""
    listed = [e for arg in error.args[1:] for item in ast.walk(arg) if isinstance(item, ast.List | ast.Tuple)
              for e in item.elts]
    return any(isinstance(e, ast.Name) and e.id in parameters for e in error.args[:1] + listed)


def error_helpers(source: str, error_classes: set[str] = frozenset(ERROR_CLASSES)) -> set[str]:
    """Functions of a module that make or raise an error from a parameter (`_problem(i, field, message)`,
    `refuse(field, message)`): what a call hands them is read by people like a refusal's message."""
    tree = ast.parse(source)
    errors = _error_classes(tree, error_classes)
    helpers = set()
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        parameters = {a.arg for a in function.args.args + function.args.kwonlyargs}
        for node in ast.walk(function):
            made = node.value if isinstance(node, ast.Return) else node.exc if isinstance(node, ast.Raise) else None
            if isinstance(function, ast.Lambda) and node is function.body:
                made = node
            if isinstance(made, ast.Call) and _name(made.func) in errors and _message_from(made, parameters):
                helpers.add(getattr(function, "name", None))
    return helpers - {None}


def unmarked_in_python(source: str, error_classes: set[str] = frozenset(ERROR_CLASSES),
                       helpers: set[str] = frozenset()) -> list[str]:
    """Messages for people in one module that skip gettext, as `line: text`; `helpers` are the
    functions (of any module, see `error_helpers`) whose arguments become refusals."""
    tree = ast.parse(source)
    errors = _error_classes(tree, error_classes)
    message_calls = MESSAGE_CALLS | set(helpers) | error_helpers(source, error_classes)
    found = []

    def report(node: ast.AST) -> None:
        found.append(f"{node.lineno}: {ast.get_source_segment(source, node)}")

    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "choices"
                                                for t in node.targets):
            # `field.choices = [("", "Any category"), ...]`: the second of each pair is shown.
            for pair in ast.walk(node.value):
                if isinstance(pair, ast.Tuple) and len(pair.elts) == 2 and _bare(pair.elts[1]):
                    report(pair.elts[1])
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None and _bare(node.value) and any(
                isinstance(t, ast.Name) and t.id in MESSAGE_NAMES
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])):
            report(node.value)
        if not isinstance(node, ast.Call):
            continue
        name = _name(node.func)
        if name in GETTEXT:
            continue
        if name in errors or name in message_calls or (name or "").endswith("Field") or name in WTFORMS_VALIDATORS:
            for arg in node.args:
                if _bare(arg):
                    report(arg)
            for keyword in node.keywords:
                if keyword.arg in ("message", "label") and _bare(keyword.value):
                    report(keyword.value)
        if name in errors:
            # Details shown next to fields: {"json": {"field": ["..."]}}.
            for rest in node.args[1:]:
                for item in ast.walk(rest):
                    if isinstance(item, ast.List | ast.Tuple):
                        found.extend(f"{e.lineno}: {ast.get_source_segment(source, e)}"
                                     for e in item.elts if _bare(e))
        for keyword in node.keywords:
            if keyword.arg in MESSAGE_KEYWORDS and name not in errors and _bare(keyword.value):
                report(keyword.value)
    return sorted(found, key=lambda line: int(line.split(":", 1)[0]))


WTFORMS_VALIDATORS = {"DataRequired", "InputRequired", "Email", "EqualTo", "Length", "NumberRange", "Regexp",
                      "URL", "AnyOf", "NoneOf"}


# --- JavaScript -----------------------------------------------------------------------------

# Literals in scripts that are code, not words: event and key names, DOM and GeoJSON names.
SCRIPT_CODE_WORDS = frozenset({"Notification", "Escape", "Enter", "Polygon", "pm:edit pm:dragend"})
SCRIPT_GETTEXT = ("gettext", "ngettext")


def _script_literals(source: str):
    """(offset, text) of each string literal of a script, and each text piece of a template
    literal, outside comments and regular expressions."""
    i, n, depth = 0, len(source), []  # depth: brace counts of the template literals we are inside
    previous = ""  # the last significant character, to tell a regex from a division

    def template(start: int):
        """A template literal from `start` (after its backquote): its text pieces, and where it ends."""
        nonlocal i
        piece, piece_start = [], start
        i = start
        while i < n:
            c = source[i]
            if c == "\\":
                piece.append(source[i:i + 2])
                i += 2
            elif c == "`":
                yield piece_start, "".join(piece)
                i += 1
                return
            elif c == "$" and source[i + 1:i + 2] == "{":
                yield piece_start, "".join(piece)
                piece = []
                i += 2
                depth.append(0)
                yield from code(until_brace=True)
                piece_start = i
            else:
                piece.append(c)
                i += 1

    def code(until_brace: bool = False):
        nonlocal i, previous
        while i < n:
            c = source[i]
            if source.startswith("//", i):
                i = source.find("\n", i) if source.find("\n", i) != -1 else n
            elif source.startswith("/*", i):
                i = source.index("*/", i) + 2
            elif c in "\"'":
                end = i + 1
                while source[end] != c:
                    end += 2 if source[end] == "\\" else 1
                yield i, source[i + 1:end]
                i, previous = end + 1, c
            elif c == "`":
                yield from template(i + 1)
                previous = "`"
            elif c == "/" and (previous in "(,=:[!&|?{};+-*%<>~^" or source[max(0, i - 7):i].rstrip().endswith("return")):
                end, in_class = i + 1, False
                while source[end] != "/" or in_class:
                    in_class = (in_class or source[end] == "[") and source[end] != "]"
                    end += 2 if source[end] == "\\" else 1
                i, previous = end + 1, "/"
            elif until_brace and c == "{":
                depth[-1] += 1
                i, previous = i + 1, c
            elif until_brace and c == "}":
                if depth[-1] == 0:
                    depth.pop()
                    i += 1
                    return
                depth[-1] -= 1
                i, previous = i + 1, c
            else:
                if not c.isspace():
                    previous = c if not (c.isalnum() or c in "_$.") else "a"
                i += 1

    yield from code()


def unmarked_in_script(source: str) -> list[str]:
    """Words a script shows that skip its `gettext()` / `ngettext()` (app/static/js/i18n.js), as `line: text`:
    every literal with a letter and a space or a capital, unless it is an argument of those calls,
    a name the product keeps in every language (ALLOWED) or code (SCRIPT_CODE_WORDS)."""
    found = []
    for offset, text in _script_literals(source):
        before = source[:offset].rstrip()
        marked = before.endswith(tuple(f"{name}(" for name in SCRIPT_GETTEXT)) or (
            # the plural of ngettext("...", "...")
            before.endswith(",") and re.search(r"ngettext\(\s*([\"'`])(?:\\.|(?!\1).)*\1\s*,$", before, re.DOTALL))
        words = text.strip()
        if marked or words in SCRIPT_CODE_WORDS or not LETTER.search(words) or re.search(
                r"(className\s*[:=]|classList\.(add|remove|toggle)\()$", before):
            continue
        if (" " in text or words[:1].isupper()) and _visible(words):
            found.append(f"{source.count(chr(10), 0, offset) + 1}: {words}")
    return found


# --- Sentences in pieces --------------------------------------------------------------------

_PIECE = re.compile(r"\{\{-?\s*_\((?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")[^}]*\)\s*-?\}\}")
_TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.DOTALL)
_EXPRESSION = re.compile(r"\{\{(?!-?\s*_\().*?\}\}", re.DOTALL)
# Where one sentence ends and the next text begins: a block element, a control tag, a line break.
_SENTENCE_END = re.compile(r"</?(p|td|th|dt|dd|li|div|h\d|label|option|button|legend|summary|tr|table|ul|ol|"
                           r"section|form|select|textarea|input|br)\b|\{%-?\s*(if|else|elif|endif|for|endfor|"
                           r"block|endblock|macro|call|set)\b|\s·\s")


def fragmented_sentences(source: str) -> list[str]:
    """Sentences a template builds from several gettext pieces around a value (`_('Mail to') {{ x }}
    _('and ...')`, or `_('Sign in at') {{ link }}.`), which no translator can reorder: each must be
    one message with named placeholders. Reported as `line: the pieces`."""
    found = []
    for piece in _PIECE.finditer(source):
        if source.rfind("<", 0, piece.start()) > source.rfind(">", 0, piece.start()):
            continue  # an attribute's value: its own text
        rest = _TRANS_BLOCK.sub(" ", source[piece.end():])
        stop = _SENTENCE_END.search(rest)
        sentence = rest[:stop.start() if stop else len(rest)]
        text = re.sub(r"<[^>]*>", "", sentence)
        if not _EXPRESSION.search(text):
            continue
        after_value = _EXPRESSION.split(text)[-1]
        if _PIECE.search(sentence) or re.search(r"[^\W\d_]|\.\s*$", after_value):
            found.append(f"{source.count(chr(10), 0, piece.start()) + 1}: {source[piece.start():piece.end() + len(sentence)].strip()}")
    return found


_CAPTION_AFTER_VALUE = re.compile(
    r"\{\{(?!-?\s*_\()[^{}]*\}\}(?:\s*</\w+>)?[ \t]*"
    r"(?:\{\{-?\s*_\(\s*(?:'([^']*)'|\"([^\"]*)\")|\{%-?\s*trans\b[^%]*%\}([^{]*))")


def captions_after_values(source: str) -> list[str]:
    """A value printed and then a gettext caption that continues it (`<span class="stat">{{ n }}</span>
    {{ _('received') }}`): the caption starts in lower case, so the value is the sentence's start,
    which a translator cannot move. Each must be one message, the value a placeholder (`_('%(count)s
    received', count=...)`). Reported as `line: the caption`."""
    found = []
    for match in _CAPTION_AFTER_VALUE.finditer(source):
        caption = next(group for group in match.groups() if group is not None).strip()
        if caption[:1].islower():
            found.append(f"{source.count(chr(10), 0, match.start()) + 1}: {caption}")
    return found

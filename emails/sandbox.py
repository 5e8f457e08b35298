"""The template sandbox with a budget: what an organization's template may cost in time and size.

`BudgetedSandbox` is Jinja's immutable sandbox that also refuses, before the work is done,
the operations that build a huge value in one step (`*`, `+`, `~`, `%`, `**` on strings and
lists, a big `range`, a width or count argument beyond the output budget). Time is bounded by
`within_deadline()`, cooperatively: every loop's items, every call, filter and piece of output look
at the rendering thread's deadline, so a loop of loops stops wherever it is, even when it writes
nothing. (Not by raising an exception into the thread from outside: such an exception can land
while the thread holds a lock, in the worker too, and leave that lock held for ever.) Everything here raises `OverBudget` with a reason
a person can read; emails/render.py `render_within_budget` is the one function that uses it.

Every refusal this package words itself (the budget's, an unsafe attribute or call, an undefined
value) is a `Refused`: a `code` from `REASONS`, its `values` (numbers left as numbers), and the
English `reason` (for logs and the worker). emails/ knows nothing of the pages' catalogue: the
caller that shows a reason to staff (app/notify/templates.py: `template_reason`) translates the code.
"""

from __future__ import annotations

import re
import threading
import time

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.runtime import StrictUndefined, Undefined, missing
from jinja2.sandbox import ImmutableSandboxedEnvironment

TIME_BUDGET_SECONDS = 0.5  # one part of one template, on one thread (a real one takes milliseconds)
OUTPUT_BUDGET_CHARS = 500_000  # one part's output, and any one value a template builds
RANGE_BUDGET = 10_000  # most items one range() may give


def _clock() -> float:
    # The real monotonic clock, which freezegun (tests that move time) does not replace.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


# What each code says, in English, with %(name)s placeholders; the pages' catalogue has the same
# words as msgids (app/notify/templates.py: TEMPLATE_REASONS, a test keeps the two equal).
REASONS: dict[str, str] = {
    "too_slow": "the template takes longer than %(seconds)s s to render",
    "repeated_too_large": "a repeated value would be larger than %(limit)s characters",
    "joined_too_large": "a joined value would be larger than %(limit)s characters",
    "formatted_too_large": "a formatted value would be larger than %(limit)s characters",
    "argument_too_large": "a value of that width or count would be larger than %(limit)s characters",
    "output_too_large": "the rendered template would be larger than %(limit)s characters",
    "power_too_large": "a number in the template is too large (a power over %(limit)s)",
    "range_too_long": "range() may give at most %(limit)s items",
    "unsafe_attribute": "access to attribute %(name)s of a %(type)s object is unsafe",
    "unsafe_call": "%(name)s is not safely callable",
    "undefined": "%(name)s is undefined",
    "no_attribute": "a %(type)s object has no attribute %(name)s",
    "no_element": "a %(type)s object has no element %(name)s",
}


def _english(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


class Refused(Exception):
    """A refusal worded here: `code` (a key of REASONS), its `values`, and `reason`, the English."""

    def __init__(self, code: str, **values):
        self.code, self.values = code, values
        self.reason = REASONS[code] % {name: _english(value) for name, value in values.items()}
        super().__init__(self.reason)


class OverBudget(Refused):
    """A template that would take too long or grow too large; `reason` says which, for people."""


class UnsafeAccess(Refused, SecurityError):
    """An attribute or a call the sandbox refuses."""


class UndefinedValue(Refused, UndefinedError):
    """A variable, attribute or element the template reads that is not there."""


def _type_name(obj) -> str:
    return "None" if obj is None else type(obj).__name__


class _Reasoned:
    """An undefined value that, when used, raises our own worded error (Jinja's words are English only)."""

    __slots__ = ()

    def _fail_with_undefined_error(self, *args, **kwargs):
        if self._undefined_exception is UnsafeAccess:
            raise UnsafeAccess("unsafe_attribute", name=repr(self._undefined_name),
                               type=repr(_type_name(self._undefined_obj)))
        if self._undefined_hint:  # someone else's words: as they are
            return super()._fail_with_undefined_error(*args, **kwargs)
        if self._undefined_obj is missing:
            raise UndefinedValue("undefined", name=repr(self._undefined_name))
        code = "no_attribute" if isinstance(self._undefined_name, str) else "no_element"
        raise UndefinedValue(code, name=repr(self._undefined_name), type=repr(_type_name(self._undefined_obj)))


class ReasonedUndefined(_Reasoned, Undefined):
    __slots__ = ()


class ReasonedStrictUndefined(_Reasoned, StrictUndefined):
    __slots__ = ()


# Jinja binds its operators (`__getitem__`, `__iter__`, `__str__` ...) to its own function when the
# class is made: point each at ours, so every use of an undefined value fails in our words.
for _class in (ReasonedUndefined, ReasonedStrictUndefined):
    for _name in {name for base in _class.__mro__ for name, value in vars(base).items()
                  if value is Undefined._fail_with_undefined_error and name != "_fail_with_undefined_error"}:
        setattr(_class, _name, _Reasoned._fail_with_undefined_error)


def too_large(code: str) -> OverBudget:
    return OverBudget(code, limit=OUTPUT_BUDGET_CHARS)


def too_slow() -> OverBudget:
    return OverBudget("too_slow", seconds=TIME_BUDGET_SECONDS)


def _size(value) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _checked_product(left, right):
    for seq, count in ((left, right), (right, left)):
        repeated = _size(seq) is not None and isinstance(count, int) and not isinstance(count, bool)
        if repeated and len(seq) * max(count, 0) > OUTPUT_BUDGET_CHARS:
            raise too_large("repeated_too_large")
    return left * right


def _checked_sum(left, right):
    if _size(left) is not None and _size(right) is not None and len(left) + len(right) > OUTPUT_BUDGET_CHARS:
        raise too_large("joined_too_large")
    return left + right


def _checked_power(left, right):
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 64:
        raise OverBudget("power_too_large", limit=64)
    return left**right


_WIDTH = re.compile(r"%[-+ #0]*(\d+|\*)|\{[^{}]*:[^{}]*?(\d+)[^{}]*\}")


def _check_format(fmt) -> None:
    if isinstance(fmt, str):
        for match in _WIDTH.finditer(fmt):
            width = match.group(1) or match.group(2)
            if width == "*" or (width and int(width) > OUTPUT_BUDGET_CHARS):
                raise too_large("formatted_too_large")


def _checked_modulo(left, right):
    _check_format(left)
    return left % right


def _check_arguments(args, kwargs) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > OUTPUT_BUDGET_CHARS:
            raise too_large("argument_too_large")
        _check_format(value)


def _budgeted_range(*args):
    numbers = range(*args)
    if len(numbers) > RANGE_BUDGET:
        raise OverBudget("range_too_long", limit=RANGE_BUDGET)
    return numbers


def _join(pieces, markup: bool):
    total = 0
    for piece in pieces:
        total += len(piece) if isinstance(piece, str) else 0
        if total > OUTPUT_BUDGET_CHARS:
            raise too_large("joined_too_large")
    from jinja2.runtime import markup_join, str_join

    return markup_join(pieces) if markup else str_join(pieces)


class _BudgetedCodeGenerator(CodeGenerator):
    # Every `for` loops over environment.budgeted_iter(...), which looks at the deadline.
    def visit_For(self, node, frame) -> None:
        if not getattr(node, "budgeted", False):
            node.iter = nodes.Call(nodes.EnvironmentAttribute("budgeted_iter"), [node.iter], [], None, None,
                                   lineno=node.lineno)
            node.budgeted = True
        super().visit_For(node, frame)

    # `a ~ b` compiles to a join Jinja does not route through the sandbox: route it through the budget.
    def visit_Concat(self, node, frame) -> None:
        if frame.eval_ctx.volatile:
            markup = "context.eval_ctx.volatile"
        else:
            markup = "True" if frame.eval_ctx.autoescape else "False"
        self.write("environment.budgeted_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write(f"), {markup})")


def _budgeted_filter(function):
    passed = 2 if hasattr(function, "jinja_pass_arg") else 1  # (context or environment,) value, arguments

    def wrapper(*args, **kwargs):
        check_deadline()
        _check_format(args[passed - 1] if len(args) >= passed else None)  # "%999999999s"|format(1)
        _check_arguments(args[passed:], kwargs)
        return function(*args, **kwargs)

    if hasattr(function, "jinja_pass_arg"):
        wrapper.jinja_pass_arg = function.jinja_pass_arg
    wrapper.__name__ = getattr(function, "__name__", "filter")
    return wrapper


class BudgetedSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, refusing any one step that would build a value over the output budget."""

    code_generator_class = _BudgetedCodeGenerator
    intercepted_binops = frozenset({"*", "+", "%", "**"})
    default_binop_table = {**ImmutableSandboxedEnvironment.default_binop_table, "*": _checked_product,
                           "+": _checked_sum, "%": _checked_modulo, "**": _checked_power}

    def __init__(self, **options):
        super().__init__(**options)
        self.globals["range"] = _budgeted_range
        # The filters that take a width or a count (center, indent, wordwrap, format, ...), and every other.
        self.filters = {name: _budgeted_filter(function) for name, function in self.filters.items()}

    def budgeted_iter(self, iterable):
        return _budgeted_iter(iterable)

    def budgeted_join(self, pieces, markup: bool):
        return _join(pieces, markup)

    def unsafe_undefined(self, obj, attribute):
        # As Jinja's, but the error it raises when used is our own worded UnsafeAccess (see _Reasoned).
        if not issubclass(self.undefined, _Reasoned):
            return super().unsafe_undefined(obj, attribute)
        return self.undefined(name=attribute, obj=obj, exc=UnsafeAccess)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        check_deadline()
        if not __self.is_safe_callable(__obj):
            raise UnsafeAccess("unsafe_call", name=repr(getattr(__obj, "__name__", _type_name(__obj))))
        _check_arguments(args, kwargs)  # "a".center(10**9), "{:>999999999}".format(1), ...
        return super().call(__context, __obj, *args, **kwargs)


_deadline = threading.local()  # this thread's rendering deadline, or None outside within_deadline()


def check_deadline() -> None:
    """OverBudget (too slow) once the current rendering's deadline has passed; cheap enough for every step."""
    at = getattr(_deadline, "at", None)
    if at is not None and _clock() > at:
        raise too_slow()


def _budgeted_iter(iterable):
    """What a template's `for` loops over, looking at the deadline as it goes."""
    for position, item in enumerate(iterable):
        if not position & 63:
            check_deadline()
        yield item


def within_deadline(work, seconds: float = TIME_BUDGET_SECONDS):
    """`work()`, given at most `seconds` of wall time, else OverBudget (too slow)."""
    previous = getattr(_deadline, "at", None)
    at = _clock() + seconds
    _deadline.at = at if previous is None else min(at, previous)
    try:
        return work()
    finally:
        _deadline.at = previous

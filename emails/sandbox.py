"""The template sandbox with a budget: what an organization's template may cost in time and size.

`BudgetedSandbox` is Jinja's immutable sandbox that also refuses, before the work is done,
the operations that build a huge value in one step (`*`, `+`, `~`, `%`, `**` on strings and
lists, a big `range`, a width or count argument beyond the output budget). Time is bounded by
`within_deadline()`, cooperatively: every loop's items, every call, filter and piece of output look
at the rendering thread's deadline, so a loop of loops stops wherever it is, even when it writes
nothing. (Not by raising an exception into the thread from outside: such an exception can land
while the thread holds a lock, in the worker too, and leave that lock held for ever.) Everything here raises `OverBudget` with a reason
a person can read; emails/render.py `render_within_budget` is the one function that uses it.
"""

from __future__ import annotations

import re
import threading
import time

from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment

TIME_BUDGET_SECONDS = 0.5  # one part of one template, on one thread (a real one takes milliseconds)
OUTPUT_BUDGET_CHARS = 500_000  # one part's output, and any one value a template builds
RANGE_BUDGET = 10_000  # most items one range() may give


def _clock() -> float:
    # The real monotonic clock, which freezegun (tests that move time) does not replace.
    return time.clock_gettime(time.CLOCK_MONOTONIC)


class OverBudget(Exception):
    """A template that would take too long or grow too large; `reason` says which, for people."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def too_large(what: str) -> OverBudget:
    return OverBudget(f"{what} would be larger than {OUTPUT_BUDGET_CHARS:,} characters")


def too_slow() -> OverBudget:
    return OverBudget(f"the template takes longer than {TIME_BUDGET_SECONDS:g} s to render")


def _size(value) -> int | None:
    return len(value) if isinstance(value, (str, bytes, list, tuple)) else None


def _checked_product(left, right):
    for seq, count in ((left, right), (right, left)):
        repeated = _size(seq) is not None and isinstance(count, int) and not isinstance(count, bool)
        if repeated and len(seq) * max(count, 0) > OUTPUT_BUDGET_CHARS:
            raise too_large("a repeated value")
    return left * right


def _checked_sum(left, right):
    if _size(left) is not None and _size(right) is not None and len(left) + len(right) > OUTPUT_BUDGET_CHARS:
        raise too_large("a joined value")
    return left + right


def _checked_power(left, right):
    if isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 64:
        raise OverBudget("a number in the template is too large (a power over 64)")
    return left**right


_WIDTH = re.compile(r"%[-+ #0]*(\d+|\*)|\{[^{}]*:[^{}]*?(\d+)[^{}]*\}")


def _check_format(fmt) -> None:
    if isinstance(fmt, str):
        for match in _WIDTH.finditer(fmt):
            width = match.group(1) or match.group(2)
            if width == "*" or (width and int(width) > OUTPUT_BUDGET_CHARS):
                raise too_large("a formatted value")


def _checked_modulo(left, right):
    _check_format(left)
    return left % right


def _check_arguments(args, kwargs) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and value > OUTPUT_BUDGET_CHARS:
            raise too_large("a value of that width or count")
        _check_format(value)


def _budgeted_range(*args):
    numbers = range(*args)
    if len(numbers) > RANGE_BUDGET:
        raise OverBudget(f"range() may give at most {RANGE_BUDGET:,} items")
    return numbers


def _join(pieces, markup: bool):
    total = 0
    for piece in pieces:
        total += len(piece) if isinstance(piece, str) else 0
        if total > OUTPUT_BUDGET_CHARS:
            raise too_large("a joined value")
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

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (Jinja's own signature)
        check_deadline()
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

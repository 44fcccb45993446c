"""One :class:`Registry` for every family of named things (activations, losses, optimizers, ...).

A registry maps names to factories (usually classes) and turns what a user passes — a
name, an alias, a config dict or a ready instance — into an object, with errors that
list the known names and suggest a close one:

>>> class Greeting:
...     def __init__(self, word="hello"):
...         self.word = word
>>> class Hello(Greeting):
...     name = "hello"
>>> greetings = Registry("greeting", Greeting, builtins=[Hello], aliases={"hi": "hello"}, configs=True)
>>> greetings.get("Hi").word
'hello'
>>> greetings.get({"name": "hello", "word": "hey"}).word
'hey'
>>> greetings.get("helo")
Traceback (most recent call last):
...
neuronlab.errors.UnknownNameError: unknown greeting 'helo' — did you mean 'hello'? Known greetings: hello
"""
from __future__ import annotations

import difflib
import inspect
from collections.abc import Mapping
from typing import Any, Callable, Iterable, cast

from ..errors import ArgumentTypeError, HyperparameterError, UnknownNameError


def unknown_name(kind: str, name: Any, known: Iterable[str]) -> UnknownNameError:
    """Build the error for an unknown ``name``, listing the known ones and a close match.

    >>> str(unknown_name("activation", "relue", ["relu", "tanh"]))
    "unknown activation 'relue' — did you mean 'relu'? Known activations: relu, tanh"
    """
    known = sorted(known)
    close = difflib.get_close_matches(str(name).lower(), known, n=1, cutoff=0.6)
    hint = f" — did you mean '{close[0]}'?" if close else "."
    plural = kind + ("es" if kind.endswith("s") else "s")
    return UnknownNameError(
        f"unknown {kind} '{name}'{hint} Known {plural}: {', '.join(known)}"
    )


#: Common spellings of keyword arguments that other libraries use, and the name here.
KEYWORD_ALIASES = {"lr": "learning_rate", "eta": "learning_rate", "wd": "weight_decay",
                   "decay": "weight_decay", "mom": "momentum", "beta_1": "beta1", "beta_2": "beta2",
                   "epsilon": "eps", "negative_slope": "alpha", "slope": "alpha"}


def unknown_keywords(unknown: Iterable[str], known: Iterable[str]) -> str:
    """The wrong keyword names, each quoted with a "did you mean" where a known one is close.

    >>> unknown_keywords(["bogus", "lr"], ["learning_rate", "beta1"])
    "'bogus', 'lr' (did you mean 'learning_rate'?)"
    """
    known = list(known)
    parts = []
    for word in sorted(unknown):
        alias = KEYWORD_ALIASES.get(word)
        close = [alias] if alias in known else difflib.get_close_matches(word, known, n=1, cutoff=0.6)
        parts.append(f"'{word}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    return ", ".join(parts)


def _article(word: str) -> str:
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word


class Registry:
    """Names of one kind of thing, each bound to a factory that builds it.

    Parameters
    ----------
    kind : str
        What the entries are, singular (``"activation"``); used in every message.
    base : type, optional
        Instances of it are returned by :meth:`get` as they are.
    builtins : iterable of classes, or mapping of name to factory
        The entries that come with the library (a class is registered under its
        ``name`` attribute).  They cannot be replaced or unregistered.
    aliases : dict, optional
        Other spellings: alias -> name.
    configs : bool
        Whether :meth:`get` accepts a config dict ``{"name": ..., **parameters}``.
    functions : bool
        Whether plain functions are returned as they are, like instances of ``base``.
    expects : str, optional
        How messages describe what :meth:`get` accepts (``"a name (str) or a Loss"``).
    parameters : str
        What the factories' keyword arguments are called in messages.
    getter : str
        The name of the public function that calls :meth:`get` (for the hint in messages).

    Names are looked up ignoring case, surrounding spaces, and ``-``/space versus ``_``.
    """

    def __init__(
        self,
        kind: str,
        base: type | None = None,
        *,
        builtins: Iterable[Any] | Mapping[str, Callable[..., Any]] = (),
        aliases: Mapping[str, str] | None = None,
        configs: bool = False,
        functions: bool = False,
        expects: str | None = None,
        parameters: str = "parameters",
        getter: str = "get",
    ) -> None:
        self.kind = kind
        self.base = base
        if isinstance(builtins, Mapping):
            self._entries: dict[str, Callable[..., Any]] = dict(builtins)
        else:
            self._entries = {cls.name: cls for cls in cast(Iterable[Any], builtins)}
        self._builtin = frozenset(self._entries)
        self._aliases = dict(aliases or {})
        self.configs = configs
        self.functions = functions
        self.expects = expects or "a name (str)" + (f" or {_article(base.__name__)}" if base else "")
        self.parameters = parameters
        self.getter = getter

    # -- names ------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Every registered name (built-in and user-registered, without aliases), sorted."""
        return sorted(self._entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._entries

    def is_builtin(self, name: str) -> bool:
        """Whether ``name`` is one of the entries the library comes with."""
        return name in self._builtin

    def aliases_of(self, name: str) -> list[str]:
        """The other spellings of ``name``, sorted."""
        return sorted(alias for alias, target in self._aliases.items() if target == name)

    def _key(self, name: str) -> str:
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
        return self._aliases.get(key, key)

    # -- lookup -----------------------------------------------------------------------------
    def get(self, identifier: Any, **params: Any) -> Any:
        """An object from a name (or alias), a config dict or an instance.

        Parameters
        ----------
        identifier : str, dict or instance of ``base``
            A name is looked up and its factory called with ``params``; a config dict
            (when ``configs``) is a name with parameters, which ``params`` override; an
            instance (or, when ``functions``, a function) is returned as it is.
        **params
            Keyword arguments for the factory.

        Raises
        ------
        UnknownNameError
            An unknown name (the message lists the known ones and a close match), or a
            config without a ``"name"``.
        ArgumentTypeError
            Anything other than the accepted kinds of identifier.
        HyperparameterError
            Parameters the entry does not take, missing required ones, or parameters
            given together with an instance.
        """
        is_instance = self.base is not None and isinstance(identifier, self.base)
        if is_instance or (self.functions and callable(identifier) and not isinstance(identifier, (str, dict, type))):
            if params:
                example = (f", e.g. {type(identifier).__name__}({sorted(params)[0]}=...)"
                           if is_instance else "")
                raise HyperparameterError(
                    f"{self.parameters} {sorted(params)} can only be given with {_article(self.kind)} "
                    f"*name* or config; set them when building the instance{example}"
                )
            return identifier
        if self.configs and isinstance(identifier, dict):
            config = dict(identifier)
            if "name" not in config:
                raise UnknownNameError(
                    f"{self.kind} config {identifier!r} has no 'name'; known names: {', '.join(self.names())}"
                )
            config.update(params)
            return self.get(config.pop("name"), **config)
        return self._build(self.canonical(identifier), params)

    def canonical(self, name: Any) -> str:
        """The registered name that ``name`` (in any spelling, or an alias) stands for.

        For lookups that need the name rather than an object (parameter names, metrics).

        Raises
        ------
        UnknownNameError
            For an unknown name, listing the known ones and a close match.
        ArgumentTypeError
            When ``name`` is not a string.
        """
        if not isinstance(name, str):
            raise ArgumentTypeError(
                f"{self.kind} must be {self.expects}, got {type(name).__name__}; "
                f"known names: {', '.join(self.names())}"
            )
        key = self._key(name)
        if key not in self._entries:
            raise unknown_name(self.kind, name, self._entries)
        return key

    def _build(self, key: str, params: dict[str, Any]) -> Any:
        factory = self._entries[key]
        try:
            return factory(**params)
        except TypeError:
            # a TypeError the parameters explain is the caller's; any other is re-raised
            takes = [p for p in inspect.signature(factory).parameters.values()
                     if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
            names = [p.name for p in takes]
            unknown = sorted(set(params) - set(names))
            missing = [p.name for p in takes if p.default is p.empty and p.name not in params]
            if unknown and not names:
                raise HyperparameterError(
                    f"{self.kind} '{key}' does not take {self.parameters} {unknown_keywords(unknown, [])}"
                ) from None
            if unknown:
                raise HyperparameterError(
                    f"{self.kind} '{key}' does not take {unknown_keywords(unknown, names)}; "
                    f"its {self.parameters} are {', '.join(names)}"
                ) from None
            if missing:
                example = ", ".join(f"{p}=..." for p in missing)
                config = ", ".join(f"{p!r}: ..." for p in missing)
                raise HyperparameterError(
                    f"{self.kind} '{key}' needs {', '.join(missing)}: use {self.getter}('{key}', {example}) "
                    f"or a config such as {{'name': '{key}', {config}}}"
                ) from None
            raise

    # -- registering ------------------------------------------------------------------------
    def register(self, name: str, factory: Callable[..., Any], *, overwrite: bool = False) -> None:
        """Add ``factory`` under ``name``; :meth:`get` then calls it with the parameters.

        Raises
        ------
        HyperparameterError
            ``name`` is not a lower-case identifier, is built in or an alias, or is
            already registered and ``overwrite`` is false.
        ArgumentTypeError
            ``factory`` is not callable.
        """
        if not isinstance(name, str) or not name.isidentifier() or name != name.lower():
            raise HyperparameterError(
                f"{self.kind} name must be an identifier-like lower-case string, got {name!r}"
            )
        if not callable(factory):
            raise ArgumentTypeError(f"a {self.kind} is registered with a callable, got {type(factory).__name__}")
        if name in self._builtin or name in self._aliases:
            raise HyperparameterError(f"'{name}' is a built-in {self.kind} and cannot be replaced")
        if name in self._entries and not overwrite:
            raise HyperparameterError(
                f"{self.kind} '{name}' is already registered; pass overwrite=True to replace it"
            )
        self._entries[name] = factory

    def unregister(self, name: str) -> None:
        """Remove a user-registered entry (built-ins cannot be removed)."""
        if name in self._builtin:
            raise HyperparameterError(f"'{name}' is built in and cannot be unregistered")
        if name not in self._entries:
            raise unknown_name(self.kind, name, self._entries)
        del self._entries[name]

    # -- description ------------------------------------------------------------------------
    def describe(self, columns: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
        """One row per name, sorted: ``{"name": ..., **columns(entry)}`` with the entry
        built without parameters."""
        return [{"name": name, **columns(self.get(name))} for name in self.names()]

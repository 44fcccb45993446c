"""One Registry holds every family of named things: names, aliases, configs and instances
resolve to objects; unknown names get a "did you mean"; registering refuses what it must;
the library's own registries (activations, losses, optimizers, schedules, initializers) are
instances of it."""
import pytest

import neuronlab as nl
from neuronlab._util.registry import Registry, unknown_name


class Shape:
    def __init__(self, size=1.0):
        self.size = size


class Square(Shape):
    name = "square"


class Circle(Shape):
    name = "circle"

    def __init__(self, radius, size=1.0):
        super().__init__(size)
        self.radius = radius


def shapes(**options):
    return Registry("shape", Shape, builtins=[Square, Circle], aliases={"box": "square"}, **options)


# -- get -------------------------------------------------------------------------------------

def test_a_name_builds_its_entry_with_the_parameters():
    got = shapes().get("square", size=3.0)
    assert type(got) is Square and got.size == 3.0


def test_case_spaces_and_dashes_do_not_matter():
    reg = Registry("shape", Shape, builtins={"big_square": Square})
    assert all(type(reg.get(n)) is Square for n in ("big_square", "Big-Square", " BIG SQUARE "))


def test_an_alias_builds_the_entry_it_names():
    assert type(shapes().get("Box")) is Square


def test_an_instance_is_returned_as_it_is():
    sq = Square()
    assert shapes().get(sq) is sq


def test_parameters_with_an_instance_are_refused_with_a_hint():
    with pytest.raises(nl.HyperparameterError, match=r"\['size'\] can only be given with a shape \*name\*.*Square\(size=\.\.\.\)"):
        shapes().get(Square(), size=2.0)


def test_a_config_is_a_name_with_parameters_and_keywords_override_it():
    reg = shapes(configs=True)
    got = reg.get({"name": "circle", "radius": 2.0, "size": 5.0}, size=7.0)
    assert type(got) is Circle and (got.radius, got.size) == (2.0, 7.0)


def test_a_config_without_a_name_is_an_unknown_name_that_lists_the_known_ones():
    with pytest.raises(nl.UnknownNameError, match="has no 'name'; known names: circle, square"):
        shapes(configs=True).get({"radius": 1.0})


def test_configs_are_refused_unless_the_registry_takes_them():
    with pytest.raises(nl.ArgumentTypeError, match="shape must be a name"):
        shapes().get({"name": "square"})


def test_a_wrong_type_is_an_argument_type_error_naming_what_is_accepted():
    with pytest.raises(nl.ArgumentTypeError) as info:
        shapes(expects="a name (str) or a Shape").get(3)
    assert str(info.value) == "shape must be a name (str) or a Shape, got int; known names: circle, square"
    assert isinstance(info.value, TypeError)


def test_functions_pass_through_only_when_allowed():
    def area(x):
        return x
    assert shapes(functions=True).get(area) is area
    with pytest.raises(nl.ArgumentTypeError):
        shapes().get(area)


def test_canonical_gives_the_registered_name_for_any_spelling():
    reg = Registry("sweep parameter", builtins={"batch_size": int, "l2": float}, aliases={"batch": "batch_size"})
    assert [reg.canonical(n) for n in ("Batch", "batch-size", "L2")] == ["batch_size", "batch_size", "l2"]
    with pytest.raises(nl.UnknownNameError, match="did you mean 'batch_size'"):
        reg.canonical("batch_sise")
    with pytest.raises(nl.ArgumentTypeError, match=r"sweep parameter must be a name \(str\), got int"):
        reg.canonical(3)


def test_without_a_base_class_nothing_passes_through_as_an_instance():
    reg = Registry("metric", builtins={"accuracy": float})
    with pytest.raises(nl.ArgumentTypeError):
        reg.get(0.5)


# -- did you mean ----------------------------------------------------------------------------

def test_an_unknown_name_suggests_the_close_one_in_the_shared_wording():
    with pytest.raises(nl.UnknownNameError) as info:
        shapes().get("squre")
    assert str(info.value) == str(unknown_name("shape", "squre", ["square", "circle"]))
    assert str(info.value) == "unknown shape 'squre' — did you mean 'square'? Known shapes: circle, square"


def test_an_unknown_name_is_also_a_value_error():
    with pytest.raises(ValueError):
        shapes().get("hexagon")


# -- parameters ------------------------------------------------------------------------------

def test_an_unknown_parameter_is_named_with_the_ones_the_entry_takes():
    with pytest.raises(nl.HyperparameterError) as info:
        shapes().get("circle", radius=1.0, colour="red")
    assert str(info.value) == "shape 'circle' does not take 'colour'; its parameters are radius, size"


def test_a_missing_parameter_is_named_with_how_to_give_it():
    with pytest.raises(nl.HyperparameterError) as info:
        shapes(getter="get_shape").get("circle")
    assert str(info.value) == ("shape 'circle' needs radius: use get_shape('circle', radius=...) "
                               "or a config such as {'name': 'circle', 'radius': ...}")


def test_an_entry_without_parameters_says_so():
    reg = Registry("shape", Shape, builtins={"unit": lambda: Square()}, parameters="options")
    with pytest.raises(nl.HyperparameterError, match=r"shape 'unit' does not take options 'size'"):
        reg.get("unit", size=2.0)


def test_a_type_error_inside_an_entry_is_not_mistaken_for_a_bad_parameter():
    def broken(size=1.0):
        raise TypeError("a bug inside the factory")
    reg = Registry("shape", Shape, builtins={"broken": broken})
    with pytest.raises(TypeError, match="a bug inside the factory"):
        reg.get("broken", size=2.0)


# -- register, unregister --------------------------------------------------------------------

def test_register_adds_a_name_and_unregister_removes_it():
    reg = shapes()
    reg.register("triangle", Square)
    assert "triangle" in reg.names() and "triangle" in reg and not reg.is_builtin("triangle")
    assert type(reg.get("Triangle")) is Square
    reg.unregister("triangle")
    assert reg.names() == ["circle", "square"]


def test_register_refuses_a_duplicate_unless_told_to_overwrite():
    reg = shapes()
    reg.register("triangle", Square)
    with pytest.raises(nl.HyperparameterError, match="already registered; pass overwrite=True"):
        reg.register("triangle", Circle)
    reg.register("triangle", Circle, overwrite=True)
    assert type(reg.get("triangle", radius=1.0)) is Circle


@pytest.mark.parametrize("name", ["square", "box"])
def test_register_refuses_builtins_and_aliases(name):
    with pytest.raises(nl.HyperparameterError, match="built-in shape and cannot be replaced"):
        shapes().register(name, Circle)


@pytest.mark.parametrize("name", ["not a name", "Triangle", 3])
def test_register_takes_lower_case_identifiers_only(name):
    with pytest.raises(nl.HyperparameterError, match="shape name must be"):
        shapes().register(name, Square)


def test_register_refuses_a_factory_that_cannot_be_called():
    with pytest.raises(nl.ArgumentTypeError):
        shapes().register("triangle", 3)


def test_builtins_cannot_be_unregistered_and_unknown_names_are_unknown():
    reg = shapes()
    with pytest.raises(nl.HyperparameterError, match="built in"):
        reg.unregister("square")
    with pytest.raises(nl.UnknownNameError, match="unknown shape 'hexagon'"):
        reg.unregister("hexagon")


# -- describe --------------------------------------------------------------------------------

def test_describe_gives_one_sorted_row_per_name_built_without_parameters():
    reg = Registry("shape", Shape, builtins=[Square])
    reg.register("unit", lambda: Square(2.0))
    assert reg.describe(lambda s: {"size": s.size}) == [{"name": "square", "size": 1.0},
                                                      {"name": "unit", "size": 2.0}]


def test_aliases_of_lists_the_other_spellings_sorted():
    reg = Registry("shape", Shape, builtins=[Square, Circle], aliases={"quad": "square", "box": "square"})
    assert reg.aliases_of("square") == ["box", "quad"] and reg.aliases_of("circle") == []


# -- the library's registries ----------------------------------------------------------------

@pytest.mark.parametrize("get, name, alias", [
    (nl.activations.get, "silu", "swish"),
    (nl.losses.get, "cross_entropy", "log_loss"),
    (nl.initializers.get, "glorot_uniform", "xavier_uniform"),
    (nl.optimizers.get_schedule, "cosine", "cos"),
])
def test_the_library_registries_resolve_aliases(get, name, alias):
    kwargs = {"t_max": 3} if name == "cosine" else {}
    assert get(alias, **kwargs) == get(name, **kwargs)


@pytest.mark.parametrize("get, wrong, kind", [
    (nl.activations.get, "relue", "activation"),
    (nl.losses.get, "mse2", "loss"),
    (nl.optimizers.get, "sgdd", "optimizer"),
    (nl.optimizers.get_schedule, "cosin", "schedule"),
    (nl.initializers.get, "he_norml", "initializer"),
])
def test_the_library_registries_share_the_unknown_name_message(get, wrong, kind):
    with pytest.raises(nl.UnknownNameError, match=f"unknown {kind} '{wrong}' — did you mean"):
        get(wrong)


def test_activation_and_optimizer_configs_round_trip():
    act = nl.activations.get("leaky_relu", alpha=0.2)
    assert nl.activations.get(act.config()) == act
    opt = nl.optimizers.get("sgd", momentum=0.9)
    assert nl.optimizers.get(opt.config()).config() == opt.config()


def test_an_activation_config_with_a_keyword_takes_the_keyword():
    assert nl.activations.get({"name": "elu", "alpha": 0.5}, alpha=2.0).alpha == 2.0

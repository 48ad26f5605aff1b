"""Device bindings (bindings/*.yaml): what Tessera knows about each device it meets.

One YAML file per device family, with these keys (all required):

  description       what the device is
  compatible        the compatible strings it covers (each in one file only)
  dma-capable       the device reads and writes memory by itself (CFG-DMA-001)
  hypervisor-owned  every instance is the hypervisor's (or firmware's on its
                    behalf): never passed through to a guest (CFG-DEV-006)
  host-supported    a host DT may have it enabled (CFG-PLAT-002)
  host-driver       null, or what the runtime drives it as:
                      use: console | poweroff | interrupt-controller
                      kind: the cfg:: enumerator of the driver
                      required: properties the host node needs
  emulated          null, or the device the hypervisor emulates for a guest:
                      kind: the cfg::EmulatedKind enumerator
                      required: properties the guest node needs

A node's binding is that of the first string of its compatible list that a
binding names.
"""

import glob
import os
from dataclasses import dataclass
from functools import lru_cache

import yaml

import props
from repo import TOOL_DIR

BINDING_DIR = os.path.join(TOOL_DIR, "bindings")
KEYS = ("description", "compatible", "dma-capable", "hypervisor-owned", "host-supported",
        "host-driver", "emulated")
HOST_DRIVER_KINDS = {            # use -> the cfg:: enumerators the runtime has drivers for
    "console": ("Ns16550", "SifiveUart"),
    "poweroff": ("SifiveTest",),
    "interrupt-controller": ("Plic",),
}
EMULATED_KINDS = ("Plic", "Ns16550")  # cfg::EmulatedKind


class BindingError(Exception):
    """A binding file is unreadable or malformed: a defect of the tool, not of a config."""


@dataclass(frozen=True)
class HostDriver:
    use: str
    kind: str
    required: tuple


@dataclass(frozen=True)
class Emulation:
    kind: str
    required: tuple


@dataclass(frozen=True)
class Binding:
    file: str                 # file name under bindings/
    description: str
    compatible: tuple
    dma_capable: bool
    hypervisor_owned: bool
    host_supported: bool
    host_driver: HostDriver   # None: the runtime does not drive it
    emulated: Emulation       # None: not emulated for guests


def binding_files(directory=None):
    return sorted(glob.glob(os.path.join(directory or BINDING_DIR, "*.yaml")))


def load_file(path):
    """The Binding in `path`; BindingError if it does not follow the schema."""
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as source:
            data = yaml.safe_load(source)
    except (OSError, yaml.YAMLError) as error:
        raise BindingError(f"{name}: {error}") from None
    if not isinstance(data, dict):
        raise BindingError(f"{name}: expected a mapping of {', '.join(KEYS)}")
    missing = [key for key in KEYS if key not in data]
    unknown = sorted(str(key) for key in set(data) - set(KEYS))
    if missing or unknown:
        raise BindingError(f"{name}: missing keys {missing}, unknown keys {unknown}")
    return Binding(
        file=name,
        description=_text(name, data, "description"),
        compatible=_names(name, data["compatible"], "compatible", allow_empty=False),
        dma_capable=_flag(name, data, "dma-capable"),
        hypervisor_owned=_flag(name, data, "hypervisor-owned"),
        host_supported=_flag(name, data, "host-supported"),
        host_driver=_host_driver(name, data["host-driver"]),
        emulated=_emulation(name, data["emulated"]))


def catalogue(directory=None):
    """{compatible string: Binding} of every binding file in `directory` (default
    BINDING_DIR), read once."""
    return _catalogue(directory or BINDING_DIR)


def forget():
    """Read the binding files again on next use (after they changed)."""
    _catalogue.cache_clear()


@lru_cache(maxsize=None)
def _catalogue(directory):
    by_compatible = {}
    for path in binding_files(directory):
        binding = load_file(path)
        for name in binding.compatible:
            other = by_compatible.get(name)
            if other is not None:
                raise BindingError(f"{binding.file}: compatible {name!r} is also in {other.file}")
            by_compatible[name] = binding
    if not by_compatible:
        raise BindingError(f"no binding files in {directory}")
    return by_compatible


def binding_of(node):
    """The Binding of `node` (by its compatible list), or None."""
    known = catalogue()
    return next((known[name] for name in props.compatible(node) if name in known), None)


def compatibles(predicate):
    """Every compatible string whose binding satisfies `predicate`, sorted."""
    return sorted(name for name, binding in catalogue().items() if predicate(binding))


def missing_props(node, required):
    """The names in `required` that `node` does not have."""
    return [name for name in required if name not in node.props]


def _text(file_name, data, key):
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise BindingError(f"{file_name}: {key} must be a non-empty string")
    return value


def _flag(file_name, data, key):
    value = data[key]
    if not isinstance(value, bool):
        raise BindingError(f"{file_name}: {key} must be true or false")
    return value


def _names(file_name, value, key, allow_empty=True):
    if (not isinstance(value, list) or (not value and not allow_empty)
            or not all(isinstance(item, str) and item for item in value)):
        raise BindingError(f"{file_name}: {key} must be a list of non-empty strings")
    return tuple(value)


def _section(file_name, value, key, keys):
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != set(keys):
        raise BindingError(f"{file_name}: {key} must be null or a mapping of "
                           f"{', '.join(keys)}")
    return value


def _host_driver(file_name, value):
    section = _section(file_name, value, "host-driver", ("use", "kind", "required"))
    if section is None:
        return None
    kinds = HOST_DRIVER_KINDS.get(section["use"])
    if kinds is None:
        raise BindingError(f"{file_name}: host-driver use must be one of "
                           f"{', '.join(HOST_DRIVER_KINDS)}")
    if section["kind"] not in kinds:
        raise BindingError(f"{file_name}: host-driver kind of a {section['use']} must be one of "
                           f"{', '.join(kinds)}")
    return HostDriver(section["use"], section["kind"],
                      _names(file_name, section["required"], "host-driver required"))


def _emulation(file_name, value):
    section = _section(file_name, value, "emulated", ("kind", "required"))
    if section is None:
        return None
    if section["kind"] not in EMULATED_KINDS:
        raise BindingError(f"{file_name}: emulated kind must be one of "
                           f"{', '.join(EMULATED_KINDS)}")
    return Emulation(section["kind"], _names(file_name, section["required"], "emulated required"))

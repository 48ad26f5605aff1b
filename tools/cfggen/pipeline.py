"""Reads every input, applies every rule and assembles the Configuration."""

import glob
import os
from dataclasses import dataclass

import device_bindings
import stage2
from check_console import check_console
from check_cpus import check_cpus
from check_devices import check_devices
from check_dma import check_dma
from check_emulated import check_emulated
from check_harts import check_harts
from check_irqs import check_irqs
from check_loads import check_loads
from check_memory import check_memory
from check_names import check_names
from check_platform import check_platform
from check_tree import check_tree
from diagnostics import Diagnostics, SourcePos
from dtsource import load_dts
from guestdt import read_guest
from guestdtb import strip_tessera_props
from hostdt import read_host
from model import Configuration, Partition
from repo import TOOL_DIR
from scenario import read_scenario


@dataclass(frozen=True)
class Settings:
    scenario_path: str
    platform_root: str
    variables: dict      # ${build}, ${cache}, ${source} -> directory


def configure(settings):
    """(Configuration or None, Diagnostics): None whenever any rule failed."""
    diags = Diagnostics()
    if not os.path.isfile(settings.scenario_path):
        diags.report_at("CFG-SCN-001", SourcePos(os.path.abspath(settings.scenario_path), 1),
                        "", "scenario file does not exist")
        return None, diags
    scenario = read_scenario(settings.scenario_path, settings.platform_root, diags)
    if scenario is None:
        return None, diags
    host = read_host(scenario.platform, scenario.host_dts, diags) if scenario.host_dts else None
    if host is not None:
        check_tree(host.source, diags)
        check_platform(host, diags)
    sources = [load_dts(path, diags) for path in scenario.guest_paths]
    for source in sources:
        if source is not None:
            check_tree(source, diags)
    guests = [read_guest(source, diags) for source in sources if source is not None]
    check_names(guests, diags)
    harts = check_harts(guests, host, diags)
    sstc = check_cpus(guests, host, diags)
    console_owner = check_console(scenario, guests, host, diags)
    mmio = check_devices(guests, host, diags, scenario.console_owner)
    check_memory(guests, mmio, host, diags)
    emulations = check_emulated(guests, mmio, diags)
    irqs = check_irqs(guests, host, emulations, diags, scenario.console_owner)
    partitions = []
    for index, guest in enumerate(guests):
        regions = sorted(guest.ram + mmio[index], key=lambda region: region.gpa)
        dtb = strip_tessera_props(guest.source.dtb, guest.source.root)
        loads = check_loads(guest, index, regions, dtb, settings.variables, diags)
        if loads is None or harts[index] is None:
            continue
        partitions.append(Partition(
            index=index, name=guest.name, source=guest.source, harts=harts[index],
            regions=regions, chunks=loads.chunks,
            passthrough=[(request.node, request.host_path) for request in guest.passthrough],
            image=loads.image, entry=loads.entry, dtb_gpa=loads.dtb_gpa,
            emulated=emulations[index].devices, irqs=irqs[index], sstc=sstc[index],
            fault_policy=guest.fault_policy, watchdog_ms=guest.watchdog_ms))
    if diags or host is None or len(sources) != len(partitions):
        return None, diags
    for partition in partitions:  # only now are the regions known to be sane
        partition.stage2_pages = stage2.pages_needed(partition.regions)
        partition.findings = check_dma(partition, host, diags)
    inputs = _inputs(scenario, host, partitions)
    return Configuration(scenario, host, partitions, inputs, console_owner), diags


def _inputs(scenario, host, partitions):
    files = [scenario.path, *scenario.source.includes, host.source.path, *host.source.includes]
    for partition in partitions:
        files += [partition.source.path, *partition.source.includes, partition.image.path]
    files += sorted(glob.glob(os.path.join(TOOL_DIR, "*.py")))
    files += device_bindings.binding_files()
    return list(dict.fromkeys(os.path.abspath(path) for path in files))

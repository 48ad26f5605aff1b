"""scenario.ld: where the hypervisor is linked (its reserved-memory region)."""


def render_linker_script(config):
    hypervisor = config.host.hypervisor
    return (f"TESSERA_HV_BASE = {hypervisor.base:#x};\n"
            f"TESSERA_HV_END = {hypervisor.base + hypervisor.size:#x};\n")

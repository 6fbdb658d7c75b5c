"""docker-compose.yml describes the deployment; Docker does not run here, so check it statically."""

import importlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def load_compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def import_target(dotted: str):
    module_name, _, attribute = dotted.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attribute) if attribute else module


def option(command, name):
    return command[command.index(name) + 1]


def test_the_deployment_has_web_worker_beat_postgres_and_redis_with_health_checks():
    services = load_compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    for name in ["web", "worker", "postgres", "redis"]:
        assert "healthcheck" in services[name], name
    assert services["postgres"]["volumes"] and services["redis"]["volumes"]


def test_every_service_command_points_at_a_real_part_of_the_project():
    services = load_compose()["services"]
    checked = set()
    for name, service in services.items():
        command = service.get("command")
        if not command:
            continue
        program = command[0]
        if program == "gunicorn":
            application = import_target(command[1])
            assert callable(application), name
        elif program == "celery":
            app = import_target(option(command, "--app")).celery_app
            assert app.main == "noms_commissioning"
            if "--scheduler" in command:
                module, _, cls = option(command, "--scheduler").partition(":")
                assert hasattr(importlib.import_module(module), cls)
        elif program == "python":
            assert (ROOT / command[1]).is_file(), name
        else:
            raise AssertionError(f"{name}: unknown program {program}")
        checked.add(name)
    assert {"web", "worker", "beat"} <= checked


def test_app_services_take_their_configuration_from_the_environment():
    compose = load_compose()
    for name in ["web", "worker", "beat"]:
        environment = compose["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "noms_commissioning.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert "SECRET_KEY" in environment and "ALLOWED_HOSTS" in environment
    assert (ROOT / "Dockerfile").is_file()


def test_migrations_run_as_the_owner_and_the_processes_as_the_runtime_role():
    services = load_compose()["services"]
    assert services["migrate"]["environment"]["DATABASE_URL"].startswith("postgres://noms_owner:")
    assert services["migrate"]["environment"]["DATABASE_APP_ROLE"] == "noms_app"
    for name in ["web", "worker", "beat"]:
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgres://noms_app:"), name
    roles = (ROOT / "deploy" / "postgres-roles.sh").read_text()
    assert "CREATE ROLE noms_owner" in roles and "CREATE ROLE noms_app LOGIN NOSUPERUSER" in roles
    assert "./deploy/postgres-roles.sh:/docker-entrypoint-initdb.d/10-roles.sh:ro" in services["postgres"]["volumes"]

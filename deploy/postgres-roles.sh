#!/bin/sh
# The postgres image runs this once, on an empty data directory (docker-entrypoint-initdb.d):
# the two roles of the deployment (README, "Database roles") and the database the owner owns.
set -e
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE noms_owner LOGIN NOSUPERUSER NOCREATEROLE PASSWORD '$NOMS_OWNER_PASSWORD';
CREATE ROLE noms_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '$NOMS_APP_PASSWORD';
CREATE DATABASE noms OWNER noms_owner;
SQL

"""Seed the outcomes tree from the outcomes table in "Commissioning for Outcomes" (seed 002).

Three aims, each with its strategic outcomes ("The Agency can demonstrate"),
service-level outcomes ("Service providers can demonstrate") under them, and
service-beneficiary outcomes (victims and communities; offenders and defendants)
under those.
"""

from django.db import migrations

# aim: {strategic outcome: {service outcome: [beneficiary outcomes]}}
TREE = {
    "Deliver the sentence of the courts": {
        "Justice is done": {
            "The sentence of the court is delivered": [
                "Offenders complete the sentence or order of the court",
                "Offenders understand the sentence and how it will be carried out",
            ],
            "Offenders are punished": [],
            "The requirements of the sentence are implemented": [],
            "Offenders and defendants are held lawfully and safely in custody": [
                "Offenders feel treated with decency and respect (and safe if held in custody)",
            ],
            "Good behaviour is recognised and bad behaviour has consequences": [],
        },
        "Justice is seen to be done": {
            "The purposes of the sentence are achieved": ["Offenders are motivated to change their lives"],
            "Courts have confidence in the advice and services provided to them": [],
            "Offenders are treated with decency and respect": [],
            "Reparation is made to the community": [
                "Victims and communities receive payback for the harm offenders cause",
                "Offenders are able to pay back victims and communities for the harm they cause",
            ],
        },
        "Victims and communities feel informed": {
            "Victims and communities are told how sentences are carried out": [
                "Victims and communities have information about how the sentences of the court are carried out",
            ],
        },
    },
    "Protect the public from harm": {
        "Risks of harm are reduced": {
            "The public and identified victims are protected": [
                "Victims and communities have information about how the risks posed by offenders are being managed",
            ],
            "The risk of harm is reduced": ["Offenders are not at risk of self-harm", "Offenders feel safe"],
            "Offenders are managed with regard to both their and others' safety and wellbeing": [
                "Offenders respect each other, staff (and visitors in custody)",
            ],
            "Harm to self and others is reduced": [],
        },
        "Risks of further serious offences are reduced": {
            "Escapes are prevented and the risk of absconds from custody managed": [],
            "Threats to public protection are detected, reported and deterred": [],
            "Perpetrators of violence recognise the consequences of their behaviour": [
                "Offenders understand the causes and triggers of their offending behaviour and how to address or manage these",
            ],
        },
        "Victims and communities feel safe": {
            "The offender is made aware of the impact of his/her offending": [
                "Offenders are aware of the impact of their offending",
                "Victims of violent and sexual offences are provided information",
            ],
        },
    },
    "Reduce the amount of crime as a result of reoffending": {
        "The frequency of reoffending is reduced": {
            "The seriousness, frequency and volume of reoffending is reduced": [],
            "The likelihood of reoffending is reduced": ["Offenders feel motivated and supported to change"],
            "Needs related to the likelihood of reoffending, as defined by the Sentence Plan, have been met or reduced": [
                "Offenders have equitable access to specialist and mainstream services which support rehabilitation",
            ],
            "Offenders' identified rehabilitation needs are met": [],
        },
        "The seriousness of reoffending is reduced": {
            "Crime is detected and deterred": [],
            "Offenders are helped and motivated to change": [
                "Offenders have respect for themselves and those their actions impact on",
            ],
            "Positive change in offenders' attitudes, thinking and behaviour is achieved": [],
            "The life skills of offenders are developed": [],
        },
        "Victims and communities understand how reoffending is being tackled": {
            "Offenders' ability to re-integrate into the community is enhanced": [
                "Victims and communities have information about how offenders are being rehabilitated",
                "Victims and communities have opportunities to support rehabilitation in custody and the community",
            ],
            "Desirable family contact is maintained and supported": [],
            "Offenders are able to lead lawful and constructive lives in the community": [
                "Offenders feel confident to lead constructive and law-abiding lives in the community",
            ],
        },
    },
}


def seed_tree(apps, schema_editor):
    Outcome = apps.get_model("cycle", "Outcome")
    for aim, strategic_outcomes in TREE.items():
        for strategic, services in strategic_outcomes.items():
            root, _ = Outcome.objects.get_or_create(level="strategic", title=strategic, theme=aim, parent=None)
            for service, beneficiaries in services.items():
                node, _ = Outcome.objects.get_or_create(level="service", title=service, theme=aim, parent=root)
                for beneficiary in beneficiaries:
                    Outcome.objects.get_or_create(level="beneficiary", title=beneficiary, theme=aim, parent=node)


class Migration(migrations.Migration):
    dependencies = [("cycle", "0001_initial")]

    operations = [migrations.RunPython(seed_tree, migrations.RunPython.noop)]

from django.shortcuts import render


def index(request):
    return render(request, "ethical_walls/index.html")

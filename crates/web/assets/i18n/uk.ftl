# Текст інтерфейсу aidtrace, українська.
nav-dashboard = Огляд
nav-activities = Проєкти
nav-facilities = Заклади
nav-map = Мапа
nav-organisations = Організації
nav-quality = Якість даних
nav-changes = Зміни
nav-import = Імпорт
nav-assets = Обладнання
nav-energy = Енергетика
nav-intake = Вхідні
nav-api = API
sign-in = Увійти
sign-out = Вийти
public-view = Відкритий перегляд: лише затверджені дані
footer = Перерахунок за курсами Міжнародного валютного фонду, якщо не зазначено інше. Джерело: Міжнародний валютний фонд.
title-dashboard = Огляд
title-activities = Проєкти
title-facilities = Заклади
title-map = Мапа закладів
title-organisations = Організації
title-quality = Якість даних
title-import = Імпорт
title-changes = Зміни
title-sign-in = Вхід
card-activities =
    { $count ->
        [one] проєкт
        [few] проєкти
       *[other] проєктів
    }
card-flows =
    { $count ->
        [one] платіж
        [few] платежі
       *[other] платежів
    }
card-facilities =
    { $count ->
        [one] заклад
        [few] заклади
       *[other] закладів
    }
card-organisations =
    { $count ->
        [one] організація
        [few] організації
       *[other] організацій
    }
card-problems =
    { $count ->
        [one] проблема якості даних
        [few] проблеми якості даних
       *[other] проблем якості даних
    }
chart-by-donor = Потоки за донорами та видами (USD за курсами МВФ)
chart-by-year = Перераховані потоки за роками та видами (USD за курсами МВФ)
by-donor = За донорами
by-recipient = За отримувачами
by-region = За регіонами
by-sector = За галузями
by-year = За роками
export = Вивантаження
search = Пошук
filter = Відібрати
any = будь-який
status = Статус
instrument = Інструмент
flows = Потоки коштів
equipment = Обладнання
sources = Джерела
findings = Зауваження
history = Історія змін
language = Мова

import psycopg
conn = psycopg.connect(host="db", password="e6vJui-EBcIJw!048H")
DB_URL = "postgresql://app:n56FzM-11Hg9s!zimB@db:5432/app"
